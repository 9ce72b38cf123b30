package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /jobs/{id}/scan's body: the Dockerfile's misconfigurations, which of them blocked, and the thresholds. */
class ScanViewTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Job SCANNED = Job.queued(JobId.random(), "tenant1", null, null, T0)
            .advancedTo(JobStatus.BUILDING, T0.plusSeconds(1)).advancedTo(JobStatus.SCANNING, T0.plusSeconds(2));
    private static final List<Misconfiguration> FOUND = List.of(
            new Misconfiguration("DS002", "Image user should not be 'root'", Severity.HIGH,
                    "Specify at least 1 USER command in Dockerfile with non-root user as argument", null, null),
            new Misconfiguration("DS013", "'RUN cd ...' to change directory", Severity.MEDIUM, "Use WORKDIR", 3, 3));

    private static JsonNode json(ScanReport report) throws Exception {
        return ApiJson.MAPPER.readTree(ApiJson.writeBytes(ApiJson.ScanView.of(SCANNED, report)));
    }

    @Test
    void misconfigurationsAtOrAboveTheThresholdTheJobWasJudgedByAreBlockingTheOthersWarnings() throws Exception {
        JsonNode body = json(new ScanReport("trivy", "0.58.1", List.of()).withMisconfigurations(FOUND)
                .judgedBy(new ScanReport.Gate(Severity.HIGH, true, Severity.HIGH)));

        JsonNode root = body.get("misconfigurations").get(0);
        assertThat(root.get("id").asText()).isEqualTo("DS002");
        assertThat(root.get("severity").asText()).isEqualTo("HIGH");
        assertThat(root.get("title").asText()).isEqualTo("Image user should not be 'root'");
        assertThat(root.get("startLine").isNull()).isTrue();
        assertThat(root.get("blocking").asBoolean()).isTrue();
        JsonNode cd = body.get("misconfigurations").get(1);
        assertThat(cd.get("startLine").asInt()).isEqualTo(3);
        assertThat(cd.get("endLine").asInt()).isEqualTo(3);
        assertThat(cd.get("blocking").asBoolean()).isFalse();
        assertThat(body.get("thresholds").get("vulnerabilities").asText()).isEqualTo("HIGH");
        assertThat(body.get("thresholds").get("ignoreUnfixed").asBoolean()).isTrue();
        assertThat(body.get("thresholds").get("misconfigurations").asText()).isEqualTo("HIGH");
    }

    @Test
    void withoutAMisconfigurationThresholdNoneBlocks() throws Exception {
        JsonNode body = json(new ScanReport("trivy", "0.58.1", List.of()).withMisconfigurations(FOUND)
                .judgedBy(new ScanReport.Gate(Severity.HIGH, false, null)));

        assertThat(body.get("misconfigurations")).allSatisfy(m -> assertThat(m.get("blocking").asBoolean()).isFalse());
        assertThat(body.get("thresholds").has("misconfigurations")).isTrue();
        assertThat(body.get("thresholds").get("misconfigurations").isNull()).isTrue();
    }

    @Test
    void aReportFromBeforeTheChecksHasNoneAndNoThresholdsAndAJobNotScannedNeither() throws Exception {
        JsonNode old = json(new ScanReport("trivy", "0.58.1", List.of()));
        assertThat(old.get("misconfigurations")).isEmpty();
        assertThat(old.get("thresholds").isNull()).isTrue();

        JsonNode none = json(null);
        assertThat(none.get("scanned").asBoolean()).isFalse();
        assertThat(none.get("misconfigurations")).isEmpty();
        assertThat(none.get("thresholds").isNull()).isTrue();
    }
}
