package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the README promises: {@code perfbox submit Dockerfile --wait} shows the stages, SUCCEEDED and 0.99. */
@RequiresDocker
class SubmitCommandIT {

    @Test
    void submitWaitShowsTheStagesAndThePerformance() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cli-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.serveOptions())) {
            Path dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                    .resolve("Dockerfile"), "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());

            CliRun ok = CliRun.of(env, "submit", dockerfile.toString(), "--wait");
            assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
            assertThat(ok.out()).contains("QUEUED").contains("RUNNING").contains("SUCCEEDED").contains("performance: 0.99");

            Path failing = Files.writeString(dockerfile.resolveSibling("Failing"), "FROM debian:bookworm\nCMD exit 4\n");
            CliRun failed = CliRun.of(env, "submit", failing.toString(), "--wait");
            assertThat(failed.exitCode()).isEqualTo(1);
            assertThat(failed.out()).contains("FAILED").contains("RUN_FAILED").contains("4");

            Path bad = Files.writeString(dockerfile.resolveSibling("Bad"), "RUN nothing\n");
            CliRun refused = CliRun.of(env, "submit", bad.toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("FROM");
        }
    }

    @Test
    void waitAndStatusPrintTheWarningOfAChildKilledForMemory() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cli-oom-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--memory", "64m"))) {
            Path dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                    .resolve("Dockerfile"), "FROM debian:bookworm\n"
                    + "CMD sh -c 'x=$(head -c 268435456 /dev/zero | tr \"\\0\" a)'; echo '{\"perf\":0.5}' > /data/perf.json\n");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());

            CliRun waited = CliRun.of(env, "submit", dockerfile.toString(), "--wait");
            assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
            assertThat(waited.out()).contains("SUCCEEDED").contains("performance: 0.5")
                    .containsPattern("warning: +A process in the container ran out of memory");

            String id = waited.out().lines().filter(l -> l.startsWith("submitted job ")).findFirst().orElseThrow()
                    .split(" ")[2];
            CliRun status = CliRun.of(env, "status", id);
            assertThat(status.exitCode()).isZero();
            assertThat(status.out()).contains("\"warnings\"").contains("ran out of memory");
        }
    }

    @Test
    void viewsPrintTablesOnATerminalJsonOtherwiseAndIdsWithQ() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cli-output-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.serveOptions())) {
            Path dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                    .resolve("Dockerfile"), "FROM debian:bookworm\nCMD echo '{\"perf\":0.25}' > /data/perf.json\n");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());

            CliRun submitted = CliRun.of(env, "submit", dockerfile.toString(), "--wait", "-q");
            assertThat(submitted.exitCode()).as(submitted.err()).isZero();
            String id = submitted.out().strip();
            assertThat(id).as("-q: the id alone").matches("[0-9a-f-]{36}");

            CliRun table = CliRun.onTerminal(env, "list");
            assertThat(table.out().lines().findFirst().orElseThrow()).matches("ID +STATUS +PERFORMANCE +FAILURE +CREATED +NAME");
            assertThat(table.out()).containsPattern(id + " +SUCCEEDED +0\\.25 ");
            JsonNode json = new ObjectMapper().readTree(CliRun.of(env, "list").out());
            assertThat(json.get("jobs").get(0).get("id").asText()).isEqualTo(id);
            assertThat(CliRun.onTerminal(env, "list", "-o", "json").out()).isEqualTo(CliRun.of(env, "list").out());
            assertThat(CliRun.of(env, "list", "-o", "table").out()).isEqualTo(table.out());
            assertThat(CliRun.of(env, "list", "-q").out().lines()).contains(id);

            assertThat(CliRun.onTerminal(env, "status", id).out()).contains("id:          " + id)
                    .contains("status:      SUCCEEDED").contains("performance: 0.25");
            assertThat(new ObjectMapper().readTree(CliRun.of(env, "status", id).out()).get("performance").asDouble())
                    .isEqualTo(0.25);
            assertThat(CliRun.onTerminal(env, "logs", id).out()).as("raw text on a terminal too").contains("[internal] load build definition")
                    .doesNotStartWith("{");
            assertThat(new ObjectMapper().readTree(CliRun.of(env, "logs", id, "-o", "json").out()).has("build")).isTrue();
            assertThat(CliRun.onTerminal(env, "scan", id).out()).contains("scanner: ");

            CliRun asJson = CliRun.of(env, "submit", dockerfile.toString(), "--wait", "-o", "json");
            assertThat(asJson.exitCode()).isZero();
            assertThat(new ObjectMapper().readTree(asJson.out()).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(asJson.err()).contains("submitted job").contains("RUNNING");

            CliRun deleted = CliRun.onTerminal(env, "delete", id);
            assertThat(deleted.out().strip()).isEqualTo("deleted job " + id + " (SUCCEEDED)");
        }
    }

    @Test
    void waitWithATimeoutStopsWaitingWithExitFourAndTheJobGoesOn() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cli-timeout-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.serveOptions())) {
            Path dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                    .resolve("Dockerfile"), "FROM debian:bookworm\nCMD sleep 120\n");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());

            long start = System.nanoTime();
            CliRun waited = CliRun.of(env, "submit", dockerfile.toString(), "--wait", "--timeout", "3s");
            assertThat(waited.exitCode()).as(waited.out() + waited.err()).isEqualTo(4);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
            String id = waited.out().lines().filter(l -> l.startsWith("submitted job ")).findFirst().orElseThrow()
                    .split(" ")[2];
            assertThat(waited.err()).contains("job " + id + " is still").contains("after 3s (--timeout)");

            CliRun cancelled = CliRun.onTerminal(env, "cancel", id);
            assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
            assertThat(cancelled.out().strip()).isEqualTo("job " + id + " CANCELLED");
        }
    }

    @Test
    void clientCommandsSayWhenNoServerAnswers() {
        CliRun r = CliRun.of(Map.of("PERFBOX_URL", "http://127.0.0.1:9"), "status", UUID.randomUUID().toString());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("no perfbox server answers");
    }
}
