package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Without a scanner nothing runs: the job ends SCANNER_UNAVAILABLE and its container never starts. */
@RequiresDocker
class ScannerUnavailableIT {

    @Test
    void configuredTrivyThatDoesNotExistIsReportedAtStartAndFailsTheJobBeforeItRunsSayingWhatToDo() throws Exception {
        Path dataDir = Path.of("target", "e2e", "noscanner-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess server = PerfboxProcess.start(dataDir,
                "--trivy", dataDir.resolveSibling("no-such-trivy").toString(), "--no-trivy-image-fallback")) {
            Http http = new Http(server.baseUrl());
            String id = http.submit("FROM debian:bookworm\nCMD echo '{\"perf\":1}' > /data/perf.json\n");
            JsonNode job = http.awaitEnd(id, Duration.ofMinutes(3));
            assertThat(job.get("status").asText()).isEqualTo("FAILED");
            assertThat(job.get("failure").get("code").asText()).isEqualTo("SCANNER_UNAVAILABLE");
            assertThat(job.get("failure").get("message").asText()).contains("no-such-trivy")
                    .contains("give --trivy the path of a trivy executable");
            assertThat(job.get("stages").get("runStartedAt").isNull()).isTrue();
            // Said at start, before the first job: which scanner, that it cannot start, and why.
            String banner = Files.readString(dataDir.resolveSibling(dataDir.getFileName() + "-server.log"));
            assertThat(banner).contains("scanner: NOT READY").contains("no-such-trivy is not an executable file");
        }
    }
}
