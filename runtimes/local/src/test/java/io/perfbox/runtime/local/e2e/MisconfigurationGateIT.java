package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Trivy's own Dockerfile checks end to end with the real Trivy (its embedded checks, offline): a Dockerfile with no
 * USER fails DS002 (HIGH, the image runs as root). By default that is a warning the scan report lists and the job
 * runs; with {@code --misconfig-threshold HIGH} it ends the job FAILED/MISCONFIGURED and nothing runs.
 */
@RequiresDocker
class MisconfigurationGateIT {
    private static final Duration END = Duration.ofMinutes(6);
    /** The base image only, no USER: DS002 (HIGH) and DS026 (LOW, no HEALTHCHECK); no finding at HIGH or above. */
    private static final String AS_ROOT = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";

    private static PerfboxProcess start(String... options) throws Exception {
        Path dataDir = Path.of("target", "e2e", "misconfig-" + UUID.randomUUID()).toAbsolutePath();
        return PerfboxProcess.start(dataDir, RealTrivy.with(options));
    }

    private static List<String> ids(JsonNode misconfigurations) {
        return StreamSupport.stream(misconfigurations.spliterator(), false).map(m -> m.get("id").asText()).toList();
    }

    private static JsonNode misconfiguration(JsonNode scan, String id) {
        return StreamSupport.stream(scan.get("misconfigurations").spliterator(), false)
                .filter(m -> m.get("id").asText().equals(id)).findFirst().orElseThrow();
    }

    private static JsonNode scanOf(Http http, String id) throws Exception {
        Http.Reply reply = http.get("/jobs/" + id + "/scan");
        OpenApiValidator openApi = new OpenApiValidator(http.get("/openapi.json").json());
        assertThat(openApi.check("/jobs/{id}/scan", "GET", reply)).as(reply.body()).isEmpty();
        return reply.json();
    }

    @Test
    void byDefaultAnImageThatRunsAsRootRunsAndItsMisconfigurationsAreListedAsWarnings() throws Exception {
        try (PerfboxProcess server = start()) {
            Http http = new Http(server.baseUrl());
            String id = http.submit(AS_ROOT);

            JsonNode job = http.awaitEnd(id, END);

            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).isEqualTo(0.5);
            JsonNode scan = scanOf(http, id);
            assertThat(ids(scan.get("misconfigurations"))).contains("DS002", "DS026");
            JsonNode root = misconfiguration(scan, "DS002");
            assertThat(root.get("severity").asText()).isEqualTo("HIGH");
            assertThat(root.get("title").asText()).isEqualTo("Image user should not be 'root'");
            assertThat(root.get("blocking").asBoolean()).isFalse();
            assertThat(scan.get("thresholds").get("vulnerabilities").asText()).isEqualTo("HIGH");
            assertThat(scan.get("thresholds").get("misconfigurations").isNull()).as("none blocks").isTrue();
        }
    }

    @Test
    void atTheMisconfigThresholdHighAnImageThatRunsAsRootEndsMisconfiguredAndNeverRuns() throws Exception {
        try (PerfboxProcess server = start("--misconfig-threshold", "HIGH")) {
            Http http = new Http(server.baseUrl());
            String id = http.submit(AS_ROOT);

            JsonNode job = http.awaitEnd(id, END);

            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
            assertThat(job.get("failure").get("code").asText()).isEqualTo("MISCONFIGURED");
            assertThat(job.get("failure").get("message").asText())
                    .contains("DS002 (HIGH) Image user should not be 'root'").doesNotContain("DS026");
            assertThat(job.get("stages").get("runStartedAt").isNull()).as("never ran").isTrue();
            assertThat(job.get("performance").isNull()).isTrue();
            assertThat(Docker.containersOf(id)).as("no container was ever created").isEmpty();
            JsonNode scan = scanOf(http, id);
            assertThat(misconfiguration(scan, "DS002").get("blocking").asBoolean()).isTrue();
            assertThat(misconfiguration(scan, "DS026").get("blocking").asBoolean()).isFalse();
            assertThat(scan.get("thresholds").get("misconfigurations").asText()).isEqualTo("HIGH");
        }
    }
}
