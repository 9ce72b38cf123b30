package io.perfbox.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.docker.BuildKitCli;
import io.perfbox.adapter.docker.DockerCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the pipeline benchmarks: a job's work done the way a shell script would, with the builder perfbox
 * uses (BuildKit, its cache included) and the isolation perfbox applies to every run. Keeps its image between runs
 * (that is its build cache); {@link #removeImage} at the end of a benchmark.
 */
final class ByHand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scanner trivy;
    private final String tag;
    private final String buildKitDocker;

    ByHand(Scanner trivy, String tag) throws InterruptedException {
        this.trivy = trivy;
        this.tag = tag;
        this.buildKitDocker = BuildKitCli.find(new DockerCli("docker"))
                .orElseThrow(() -> new IllegalStateException("no docker CLI here builds with BuildKit")).executable();
    }

    String builder() {
        return buildKitDocker;
    }

    /** Build, scan, run, read perf.json (which must be {@code expected}); the three steps' seconds. */
    double[] pipeline(String dockerfile, double expected) throws Exception {
        Path dir = Files.createTempDirectory("perfbox-bench-manual");
        long t0 = System.nanoTime();
        exec(dockerfile.getBytes(StandardCharsets.UTF_8), buildKitDocker, "build", "-q", "-t", tag, "-");
        long t1 = System.nanoTime();
        exec(null, trivy.imageCommand(tag).toArray(String[]::new));
        long t2 = System.nanoTime();
        exec(null, "docker", "run", "--rm", "--network", "none", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges", "--pids-limit", "256", "--memory", "1g", "--memory-swap", "1g",
                "--cpus", "1", "-v", dir + ":/data", tag);
        double perf = JSON.readTree(Files.readString(dir.resolve("perf.json"))).get("perf").asDouble();
        long t3 = System.nanoTime();
        if (perf != expected) {
            throw new IllegalStateException("unexpected result " + perf + ", not " + expected);
        }
        Files.delete(dir.resolve("perf.json"));
        Files.delete(dir);
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
    }

    void removeImage() throws IOException, InterruptedException {
        new ProcessBuilder("docker", "image", "rm", "-f", tag).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static void exec(byte[] stdin, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DOCKER_BUILDKIT", "1");
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
        } else {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }
}
