package io.perfbox.adapter.trivy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrivyConfigReportParserTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TrivyConfigReportParserTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /**
     * trivy-config-runs-as-root.json is the real output of Trivy 0.58.1 ({@code trivy config --misconfig-scanners
     * dockerfile --skip-check-update --format json --quiet DIR}) for a Dockerfile of
     * {@code FROM debian:bookworm}, a RUN and a CMD, and no USER.
     */
    @Test
    void aDockerfileWithoutUserFailsDs002HighAndDs026LowWithoutLines() throws IOException {
        assertThat(TrivyConfigReportParser.parse(resource("trivy-config-runs-as-root.json"))).containsExactly(
                new Misconfiguration("DS002", "Image user should not be 'root'", Severity.HIGH,
                        "Specify at least 1 USER command in Dockerfile with non-root user as argument", null, null),
                new Misconfiguration("DS026", "No HEALTHCHECK defined", Severity.LOW,
                        "Add HEALTHCHECK instruction in your Dockerfile", null, null));
    }

    /**
     * trivy-config-run-cd.json is the real output of Trivy 0.58.1 (the same command) for {@code FROM debian:bookworm},
     * {@code RUN cd /tmp && echo hi > greeting} on line 2, {@code USER 1000} and a CMD: the check names its line.
     */
    @Test
    void aCheckAboutOneInstructionNamesItsLine() throws IOException {
        var found = TrivyConfigReportParser.parse(resource("trivy-config-run-cd.json"));
        assertThat(found).extracting(Misconfiguration::id).containsExactly("DS013", "DS026");
        Misconfiguration cd = found.get(0);
        assertThat(cd.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(cd.startLine()).isEqualTo(2);
        assertThat(cd.endLine()).isEqualTo(2);
        assertThat(cd.describe()).startsWith("DS013 (MEDIUM) ").endsWith(" at line 2");
    }

    @Test
    void passedChecksAndResultsWithoutMisconfigurationsAreNone() {
        String json = """
                {"SchemaVersion": 2, "ArtifactName": "dir", "Results": [
                  {"Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
                   "Misconfigurations": [{"ID": "DS001", "Title": "t", "Severity": "MEDIUM", "Status": "PASS"},
                                         {"ID": "DS005", "Title": "ADD", "Severity": "LOW", "Status": "FAIL",
                                          "CauseMetadata": {"StartLine": 4, "EndLine": 6}}]},
                  {"Target": "other"}]}
                """;
        assertThat(TrivyConfigReportParser.parse(json.getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new Misconfiguration("DS005", "ADD", Severity.LOW, null, 4, 6));
        assertThat(TrivyConfigReportParser.parse("{\"SchemaVersion\": 2}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void outputThatIsNotATrivyReportFailsTheScan() {
        assertThatThrownBy(() -> TrivyConfigReportParser.parse("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> TrivyConfigReportParser.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("not a Trivy JSON report");
        assertThatThrownBy(() -> TrivyConfigReportParser.parse(new byte[TrivyConfigReportParser.MAX_BYTES + 1]))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("larger than");
    }
}
