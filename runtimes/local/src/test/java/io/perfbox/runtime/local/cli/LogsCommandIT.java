package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI and a job's output while it is produced: {@code logs ID} prints the raw text so far, {@code logs ID -f}
 * follows it to the job's end, {@code submit --wait} tails it (a progress line on a terminal, "| " lines piped).
 */
@RequiresDocker
class LogsCommandIT {
    private static final String SLOW = "FROM debian:bookworm\n"
            + "RUN echo build-marker-" + UUID.randomUUID() + "\n"
            + "CMD for i in 1 2 3; do echo run-line-$i; sleep 1; done; echo '{\"perf\":0.7}' > /data/perf.json\n";
    private static PerfboxProcess server;
    private static Map<String, String> env;
    private static Path dockerfile;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cli-logs-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.serveOptions());
        env = Map.of("PERFBOX_URL", server.baseUrl());
        dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                .resolve("Dockerfile"), SLOW);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String submit() {
        CliRun submitted = CliRun.of(env, "submit", dockerfile.toString(), "-q");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        return submitted.lastLine();
    }

    @Test
    void logsFollowPrintsTheBuildAndRunOutputUntilTheJobEnds() throws Exception {
        String id = submit();
        CliRun followed = CliRun.of(env, "logs", id, "-f");
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(followed.out()).contains("build-marker-")
                .containsSubsequence("run-line-1", "run-line-2", "run-line-3");
        CliRun status = CliRun.of(env, "status", id, "-o", "json");
        assertThat(new ObjectMapper().readTree(status.out()).get("status").asText())
                .as("-f returned only once the job had ended").isEqualTo("SUCCEEDED");

        CliRun raw = CliRun.of(env, "logs", id);
        assertThat(raw.out()).as("raw text, not JSON").doesNotStartWith("{").contains("run-line-3");
        CliRun asJson = CliRun.of(env, "logs", id, "-o", "json");
        assertThat(new ObjectMapper().readTree(asJson.out()).get("run").get("text").asText()).contains("run-line-2");
    }

    @Test
    void submitWaitPipedPrintsEveryOutputLineAsItComes() {
        CliRun waited = CliRun.of(env, "submit", dockerfile.toString(), "--wait");
        assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
        assertThat(waited.out()).containsSubsequence("RUNNING", "  | run-line-1", "  | run-line-2", "  | run-line-3",
                "SUCCEEDED", "performance: 0.7");
        assertThat(waited.out()).doesNotContain("\u001b[2K");
    }

    @Test
    void submitWaitOnATerminalDrawsOneProgressLineInPlace() {
        CliRun waited = CliRun.onTerminal(env, "submit", dockerfile.toString(), "--wait");
        assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
        assertThat(waited.out()).contains("\r\u001b[2K").containsPattern("RUNNING  run-line-[123]")
                .contains("performance: 0.7").doesNotContain("  | run-line");
    }
}
