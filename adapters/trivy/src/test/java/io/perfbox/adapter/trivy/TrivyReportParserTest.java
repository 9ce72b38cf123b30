package io.perfbox.adapter.trivy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import org.junit.jupiter.api.Test;

class TrivyReportParserTest {
    // Shaped like `trivy image --format json` (schema version 2): OS packages and a language target.
    private static final String REPORT = """
            {"SchemaVersion": 2, "CreatedAt": "2026-11-01T10:00:00Z", "ArtifactName": "perfbox-job-x:latest",
             "ArtifactType": "container_image", "Metadata": {"OS": {"Family": "debian", "Name": "12.8"}},
             "Results": [
              {"Target": "perfbox-job-x:latest (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
               "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-0001", "PkgID": "openssl@3.0.15-1~deb12u1", "PkgName": "openssl",
                 "InstalledVersion": "3.0.15-1~deb12u1", "FixedVersion": "3.0.16-1~deb12u1", "Status": "fixed",
                 "Severity": "CRITICAL", "Title": "openssl: a bad bug", "CVSS": {"nvd": {"V3Score": 9.8}}},
                {"VulnerabilityID": "CVE-2024-0002", "PkgName": "bash", "InstalledVersion": "5.2.15-2+b7",
                 "Status": "affected", "Severity": "LOW"}]},
              {"Target": "app/requirements.txt", "Class": "lang-pkgs", "Type": "pip",
               "Vulnerabilities": [
                {"VulnerabilityID": "GHSA-xxxx", "PkgName": "numpy", "InstalledVersion": "1.0", "FixedVersion": "1.22.0",
                 "Severity": "WEIRD"}]},
              {"Target": "clean-target", "Class": "os-pkgs", "Vulnerabilities": null}
             ]}
            """;

    @Test
    void findingsComeFromEveryTarget() {
        ScanReport report = TrivyReportParser.parse(REPORT, "0.58.1");
        assertThat(report.scanner()).isEqualTo("trivy");
        assertThat(report.findings()).extracting(Finding::vulnerabilityId)
                .containsExactly("CVE-2024-0001", "CVE-2024-0002", "GHSA-xxxx");
        Finding first = report.findings().get(0);
        assertThat(first.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(first.packageName()).isEqualTo("openssl");
        assertThat(first.fixedVersion()).isEqualTo("3.0.16-1~deb12u1");
        assertThat(first.target()).contains("debian");
    }

    @Test
    void missingFixedVersionMeansUnfixed() {
        assertThat(TrivyReportParser.parse(REPORT, null).findings().get(1).hasFix()).isFalse();
    }

    @Test
    void unknownSeverityIsUnknown() {
        assertThat(TrivyReportParser.parse(REPORT, null).findings().get(2).severity()).isEqualTo(Severity.UNKNOWN);
    }

    @Test
    void cleanImageHasNoFindings() {
        assertThat(TrivyReportParser.parse("{\"SchemaVersion\":2,\"ArtifactName\":\"x\",\"Results\":[{\"Target\":\"x\"}]}", null)
                .findings()).isEmpty();
        assertThat(TrivyReportParser.parse("{\"SchemaVersion\":2,\"ArtifactName\":\"x\"}", null).findings()).isEmpty();
    }

    @Test
    void outputThatIsNotATrivyReportFailsTheScan() {
        assertThatThrownBy(() -> TrivyReportParser.parse("2026-01-01 FATAL no DB", null)).isInstanceOf(ScanFailedException.class);
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"hello\":1}", null)).isInstanceOf(ScanFailedException.class);
        assertThatThrownBy(() -> TrivyReportParser.parse("", null)).isInstanceOf(ScanFailedException.class);
    }

    @Test
    void theTargetMayFollowItsVulnerabilitiesAndUnknownFieldsAreSkipped() {
        String json = "{\"Metadata\":{\"OS\":{\"Family\":\"debian\"},\"Layers\":[1,2,[3]]},\"SchemaVersion\":2,"
                + "\"Results\":[{\"Class\":\"os-pkgs\",\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-1\","
                + "\"PkgName\":\"p\",\"Severity\":\"HIGH\",\"CVSS\":{\"nvd\":{\"V3Score\":7.5}}},{\"PkgName\":\"no id\"}],"
                + "\"Target\":\"img (debian 12)\"}]}";
        ScanReport report = TrivyReportParser.parse(json, "0.58.1");
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.vulnerabilityId()).isEqualTo("CVE-1");
            assertThat(f.target()).isEqualTo("img (debian 12)");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
        });
    }

    @Test
    void aReportWithManyFindingsIsReadWhole() {
        StringBuilder json = new StringBuilder("{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":[");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"VulnerabilityID\":\"CVE-").append(i)
                    .append("\",\"PkgName\":\"pkg\",\"Severity\":\"LOW\",\"Title\":\"").append("x".repeat(100)).append("\"}");
        }
        json.append("]}]}");
        assertThat(TrivyReportParser.parse(json.toString(), null).findings()).hasSize(20_000);
    }

    @Test
    void truncatedOrTrailingOutputFailsTheScan() {
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"SchemaVersion\":2,\"Results\":[{\"Target\":", null))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> TrivyReportParser.parse("{\"SchemaVersion\":2} trailing", null))
                .isInstanceOf(ScanFailedException.class);
        assertThatThrownBy(() -> TrivyReportParser.parse("[1,2]", null)).isInstanceOf(ScanFailedException.class);
    }
}
