package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.trivy.TrivySettings;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real job's run receipt (issue 22): what produced its number, as GET /jobs/{id} and perfbox status show it,
 * checked against what the machine itself says (sha256sum, docker image inspect, uname -r, docker info).
 */
@RequiresDocker
class RunReceiptIT {

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    @Test
    void aJobThatRanHasAReceiptOfItsImageDockerfileBaseScannerLimitsAndHost() throws Exception {
        Path dataDir = Path.of("target", "e2e", "receipt-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with(
                "--memory", "96m", "--cpus", "1.5", "--pids", "200", "--run-timeout", "30s"))) {
            Path dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                    .resolve("Dockerfile"), "FROM debian:bookworm\n# the receipt's job\nCMD echo '{\"perf\":0.75}' > /data/perf.json\n");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());

            CliRun submitted = CliRun.of(env, "submit", dockerfile.toString(), "--wait", "-q");
            assertThat(submitted.exitCode()).as(submitted.out() + submitted.err()).isZero();
            String id = submitted.lastLine();
            JsonNode job = new ObjectMapper().readTree(CliRun.of(env, "status", id).out());
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            JsonNode r = job.get("receipt");
            assertThat(r.isObject()).as(job.toString()).isTrue();

            assertThat(r.get("imageDigest").asText()).matches("sha256:[0-9a-f]{64}");
            String sha256sum = sh("sha256sum", dockerfile.toString()).split("\\s+")[0];
            assertThat(r.get("dockerfileSha256").asText()).isEqualTo(sha256sum);
            String baseId = sh("/usr/bin/docker", "image", "inspect", "--format", "{{.Id}}", "debian:bookworm");
            assertThat(r.get("baseImages")).hasSize(1);
            assertThat(r.get("baseImages").get(0).get("name").asText()).isEqualTo("debian:bookworm");
            assertThat(r.get("baseImages").get(0).get("digest").asText()).isEqualTo(baseId).matches("sha256:[0-9a-f]{64}");
            assertThat(r.get("scanner").get("name").asText()).isEqualTo("trivy");
            assertThat(r.get("scanner").get("version").asText()).isEqualTo(TrivySettings.PINNED_VERSION);
            assertThat(r.get("scanner").get("dbUpdatedAt").asText()).isNotBlank();
            JsonNode limits = r.get("limits");
            assertThat(limits.get("memoryBytes").asLong()).isEqualTo(96L << 20);
            assertThat(limits.get("cpus").asDouble()).isEqualTo(1.5);
            assertThat(limits.get("pids").asInt()).isEqualTo(200);
            assertThat(limits.get("timeoutSeconds").asLong()).isEqualTo(30);
            assertThat(r.get("kernel").asText()).isEqualTo(sh("uname", "-r"));
            assertThat(r.get("containerRuntime").asText())
                    .isEqualTo(sh("/usr/bin/docker", "info", "--format", "{{.DefaultRuntime}}"));
            List<String> models = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.split(":", 2)[1].strip()).toList();
            if (!models.isEmpty()) {
                assertThat(r.get("hostCpuModel").asText()).isEqualTo(models.get(0));
            }
            assertThat(r.get("perfboxVersion").asText()).isNotBlank().isNotEqualTo("unknown");

            CliRun human = CliRun.onTerminal(env, "status", id);
            assertThat(human.exitCode()).isZero();
            assertThat(human.out()).contains("receipt dockerfile: sha256 " + sha256sum)
                    .contains("receipt base image: debian:bookworm " + baseId)
                    .contains("receipt limits:     memory 96 MiB, cpus 1.5, pids 200, time 30 s")
                    .contains("receipt kernel:     " + sh("uname", "-r"));
        }
    }
}
