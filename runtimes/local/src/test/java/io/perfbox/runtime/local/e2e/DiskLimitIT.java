package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run's /data and its writable layer are bounded: a job that writes past either limit ends DISK_LIMIT (not
 * RUN_TIMEOUT: its run timeout is minutes away), even when it ignores the write error and carries on, and leaves
 * neither its files nor its container behind.
 */
@RequiresDocker
class DiskLimitIT {
    private static final Duration END = Duration.ofMinutes(4);
    private static PerfboxProcess server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "disk-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with(
                "--workers", "2", "--run-timeout", "3m", "--data-size", "32m", "--layer-size", "64m"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static void assertDiskLimitAndNothingLeft(JsonNode job, String where) throws Exception {
        String id = job.get("id").asText();
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("failure").get("code").asText()).as(job.toString()).isEqualTo("DISK_LIMIT");
        assertThat(job.get("failure").get("message").asText()).contains(where);
        assertThat(Files.exists(server.dataDir().resolve("workspaces").resolve(id)))
                .as("the job's workspace is removed").isFalse();
        assertThat(Docker.containersOf(id)).as("the job's container (and its writable layer) is removed").isEmpty();
    }

    @Test
    void writingPastTheDataLimitEndsDiskLimitEvenWhenTheWriteErrorIsIgnored() throws Exception {
        JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                + "CMD head -c 200000000 /dev/zero > /data/big || true; sleep 600\n"), END);
        assertDiskLimitAndNothingLeft(job, "/data");
    }

    @Test
    void writingPastTheWritableLayerLimitEndsDiskLimit() throws Exception {
        JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                + "CMD head -c 300000000 /dev/zero > /tmp/big || true; sleep 600\n"), END);
        assertDiskLimitAndNothingLeft(job, "own file system");
    }

    @Test
    void writingPastTheLimitAndExitingAtOnceStillEndsDiskLimit() throws Exception {
        JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                + "CMD head -c 100000000 /dev/zero > /data/big; echo '{\"perf\":1}' > /data/perf.json\n"), END);
        assertDiskLimitAndNothingLeft(job, "/data");
    }

    @Test
    void runWithinTheLimitsSucceeds() throws Exception {
        JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                + "CMD head -c 8000000 /dev/zero > /data/small && head -c 8000000 /dev/zero > /tmp/small"
                + " && echo '{\"perf\":1}' > /data/perf.json\n"), END);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
    }
}
