package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the local runtime answers for an {@code ADD} of the instance metadata address, a fetch the engine itself would
 * make (no RUN step's rule sees it): the outcome {@code perfbox aws verify}'s metadata-add scenario expects on AWS.
 */
@RequiresDocker
class EngineFetchIT {
    @Test
    void anAddOfTheMetadataAddressIsRefusedBeforeTheBuild() throws Exception {
        Path dataDir = Path.of("target", "e2e", "enginefetch-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with())) {
            Http http = new Http(server.baseUrl());
            JsonNode job = http.awaitEnd(http.submit("FROM debian:bookworm\n"
                    + "ADD http://169.254.169.254/latest/meta-data/ /metadata\n"
                    + "CMD echo '{\"perf\":1}' > /data/perf.json\n"), Duration.ofMinutes(3));
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
            assertThat(job.get("failure").get("code").asText()).as(job.toString()).isEqualTo("INVALID_DOCKERFILE");
            assertThat(job.get("failure").get("message").asText()).contains("URL");
            assertThat(job.get("stages").get("runStartedAt").isNull()).as("never ran").isTrue();
        }
    }
}
