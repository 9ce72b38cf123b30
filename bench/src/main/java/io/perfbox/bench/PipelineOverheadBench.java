package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** 1. One job from submit to SUCCEEDED over HTTP against the same build, scan, run and read done by hand. */
final class PipelineOverheadBench {
    static final double TARGET = 1.15;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = PerfboxApi.dockerfileWithPerf("0.99");

    private final PerfboxApi api;
    private final String trivy;
    private final int runs;

    PipelineOverheadBench(PerfboxApi api, String trivy, int runs) {
        this.api = api;
        this.trivy = trivy;
        this.runs = runs;
    }

    Outcome run() throws Exception {
        api.submitAndWait(DOCKERFILE);
        manual();
        List<Double> perfbox = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            api.submitAndWait(DOCKERFILE);
            perfbox.add((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            manual();
            byHand.add((System.nanoTime() - t0) / 1e9);
        }
        Stats p = Stats.of(perfbox);
        Stats m = Stats.of(byHand);
        double ratio = p.median() / m.median();
        System.out.printf("%n[1] pipeline overhead: submit → SUCCEEDED, %d runs after one warm-up (image cache warm)%n", runs);
        System.out.println("    perfbox over HTTP (poll every 20 ms): " + p.minMedMax("s"));
        System.out.println("    baseline, by hand (docker build, trivy image, docker run --network none, read perf.json): "
                + m.minMedMax("s"));
        System.out.printf("    ratio of medians: %.2f (target ≤ %.2f): %s%n", ratio, TARGET, ratio <= TARGET ? "met" : "MISSED");
        return new Outcome("1", "pipeline submit → SUCCEEDED", String.format("%.3f s", p.median()),
                String.format("%.3f s by hand", m.median()), String.format("%.2f", ratio), String.format("≤ %.2f", TARGET),
                Outcome.Verdict.of(ratio <= TARGET), "");
    }

    /** The same work done the way a shell script would: build, scan, run isolated, read the result. */
    private void manual() throws Exception {
        Path dir = Files.createTempDirectory("perfbox-bench-manual");
        String tag = "perfbox-bench-manual:latest";
        exec(DOCKERFILE.getBytes(StandardCharsets.UTF_8), "docker", "build", "-q", "-t", tag, "-");
        exec(null, trivy, "image", "--format", "json", "--quiet", "--scanners", "vuln", tag);
        exec(null, "docker", "run", "--rm", "--network", "none", "-v", dir + ":/data", tag);
        JsonNode perf = JSON.readTree(Files.readString(dir.resolve("perf.json")));
        if (perf.get("perf").asDouble() != 0.99) {
            throw new IllegalStateException("unexpected result " + perf);
        }
        Files.delete(dir.resolve("perf.json"));
        Files.delete(dir);
    }

    private static void exec(byte[] stdin, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DOCKER_BUILDKIT", "0");
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
        } else {
            p.getOutputStream().close();
        }
        p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }
}
