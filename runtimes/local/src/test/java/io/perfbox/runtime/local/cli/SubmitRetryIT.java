package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A submit whose answer is lost is sent again with the same Idempotency-Key: the real server makes one job, not two. */
@RequiresDocker
class SubmitRetryIT {
    private static PerfboxProcess server;
    private static Path dockerfile;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "retry-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "1"));
        dockerfile = Files.writeString(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-in"))
                .resolve("Dockerfile"), "FROM debian:bookworm\nCMD echo '{\"perf\":0.7}' > /data/perf.json\n");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static List<String> jobIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode job : new Http(server.baseUrl()).get("/jobs?limit=100").json().get("jobs")) {
            ids.add(job.get("id").asText());
        }
        return ids;
    }

    @Test
    void aSubmitWhoseAnswersAreLostIsRetriedWithTheSameKeyAndMakesOneJob() throws Exception {
        List<String> before = jobIds();
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(server.baseUrl(), ApiClient.SUBMIT_ATTEMPTS - 1)) {
            CliRun run = CliRun.of(Map.of("PERFBOX_URL", proxy.url()), "submit", dockerfile.toString(), "-q");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.err()).contains("sending it again with the same Idempotency-Key (attempt 2 of 3)")
                    .contains("(attempt 3 of 3)");
            assertThat(proxy.connections.get()).isEqualTo(ApiClient.SUBMIT_ATTEMPTS);
            String id = run.out().strip();
            List<String> made = new ArrayList<>(jobIds());
            made.removeAll(before);
            assertThat(made).as("three POSTs reached the server, one job was made").containsExactly(id);
        }
    }

    @Test
    void whenEveryAnswerIsLostTheCliSaysHowToFindTheJob() throws Exception {
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(server.baseUrl(), ApiClient.SUBMIT_ATTEMPTS)) {
            String key = "lost-" + UUID.randomUUID();
            CliRun run = CliRun.of(Map.of("PERFBOX_URL", proxy.url()), "submit", dockerfile.toString(),
                    "--idempotency-key", key);
            assertThat(run.exitCode()).isEqualTo(3);
            assertThat(run.err()).contains("after 3 attempts").contains("--idempotency-key " + key);

            List<String> before = jobIds();
            CliRun again = CliRun.of(Map.of("PERFBOX_URL", server.baseUrl()), "submit", dockerfile.toString(), "-q",
                    "--idempotency-key", key);
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(before).as("running it again with the key finds the job the lost submits made")
                    .contains(again.out().strip());
            assertThat(jobIds()).hasSameSizeAs(before);
        }
    }
}
