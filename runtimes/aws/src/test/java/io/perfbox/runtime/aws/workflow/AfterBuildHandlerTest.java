package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.aws.StepInputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AfterBuildHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final AfterBuildHandler handler = new AfterBuildHandler(f.lifecycle, f.aws, f.config);
    private static final String BUILD_LOG = "#1 [internal] load build definition from Dockerfile\n#5 DONE 0.4s\n";
    /** `trivy image --format json` output: one CRITICAL with a fix, one LOW without. */
    private static final String VULNERABLE_REPORT = """
            {"SchemaVersion": 2, "CreatedAt": "2026-03-01T12:03:00Z", "ArtifactName": "job-image",
             "ArtifactType": "container_image", "Metadata": {"OS": {"Family": "debian", "Name": "12.8"}},
             "Results": [
              {"Target": "job-image (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
               "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-6387", "PkgName": "openssh-server", "InstalledVersion": "1:9.2p1-2",
                 "FixedVersion": "1:9.2p1-2+deb12u3", "Status": "fixed", "Severity": "CRITICAL", "Title": "regreSSHion"},
                {"VulnerabilityID": "CVE-2011-3374", "PkgName": "apt", "InstalledVersion": "2.6.1",
                 "Status": "affected", "Severity": "LOW"}]}]}
            """;
    private static final String CLEAN_REPORT = """
            {"SchemaVersion": 2, "CreatedAt": "2026-03-01T12:03:00Z", "ArtifactName": "job-image",
             "ArtifactType": "container_image",
             "Results": [{"Target": "job-image (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
               "Vulnerabilities": [{"VulnerabilityID": "CVE-2011-3374", "PkgName": "apt", "InstalledVersion": "2.6.1",
                 "Status": "affected", "Severity": "LOW"}]}]}
            """;


    private void buildLeft(String outcomeJson, String report) {
        f.aws.putArtifact(f.id, Artifact.LOG, BUILD_LOG);
        if (outcomeJson != null) {
            f.aws.putArtifact(f.id, Artifact.OUTCOME, outcomeJson);
        }
        if (report != null) {
            f.aws.putArtifact(f.id, Artifact.SCAN_REPORT, report);
        }
    }

    private String built(boolean pushed) {
        return """
                {"outcome":"BUILT","reason":"","imageUri":"%s","pushed":%s,"trivyVersion":"0.58.1"}
                """.formatted(StepInputs.imageUri(f.id), pushed);
    }


    AfterBuildHandlerTest() {
        f.putIn(JobStatus.BUILDING);
    }

    /** `trivy config --format json` output for a Dockerfile without USER (as trivy 0.58.1 reports it, shortened). */
    private static final String RUNS_AS_ROOT = """
            {"SchemaVersion": 2, "ArtifactName": "/tmp/perfbox/dockerfile-checks", "ArtifactType": "filesystem",
             "Results": [{"Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
               "MisconfSummary": {"Successes": 26, "Failures": 2},
               "Misconfigurations": [
                {"Type": "Dockerfile Security Check", "ID": "DS002", "Title": "Image user should not be 'root'",
                 "Message": "Specify at least 1 USER command in Dockerfile with non-root user as argument",
                 "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"Provider": "Dockerfile", "Code": {"Lines": null}}},
                {"Type": "Dockerfile Security Check", "ID": "DS026", "Title": "No HEALTHCHECK defined",
                 "Message": "Add HEALTHCHECK instruction in your Dockerfile", "Severity": "LOW", "Status": "FAIL",
                 "CauseMetadata": {"Provider": "Dockerfile", "Code": {"Lines": null}}}]}]}
            """;

    @Test
    void theDockerfilesMisconfigurationsGoIntoTheReportAsWarningsByDefault() {
        buildLeft(built(true), CLEAN_REPORT);
        f.aws.putArtifact(f.id, Artifact.MISCONFIG_REPORT, RUNS_AS_ROOT);

        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", true, "imageUri", StepInputs.imageUri(f.id)));

        ScanReport report = f.artifacts.scanReport(f.id).orElseThrow();
        assertThat(report.misconfigurations()).extracting(m -> m.id() + " " + m.severity())
                .containsExactly("DS002 HIGH", "DS026 LOW");
        assertThat(report.gate()).isEqualTo(new ScanReport.Gate(Severity.HIGH, false, null));
    }

    @Test
    void atTheMisconfigurationThresholdTheImageTheBuildHeldBackEndsMisconfigured() {
        WorkflowFixture strict = new WorkflowFixture(Map.of("PERFBOX_MISCONFIG_THRESHOLD", "HIGH"));
        strict.putIn(JobStatus.BUILDING);
        strict.aws.putArtifact(strict.id, Artifact.LOG, BUILD_LOG);
        strict.aws.putArtifact(strict.id, Artifact.OUTCOME, """
                {"outcome":"BUILT","reason":"misconfigurations at or above HIGH","imageUri":"%s","pushed":false,\
                "trivyVersion":"0.58.1"}""".formatted(StepInputs.imageUri(strict.id)));
        strict.aws.putArtifact(strict.id, Artifact.SCAN_REPORT, CLEAN_REPORT);
        strict.aws.putArtifact(strict.id, Artifact.MISCONFIG_REPORT, RUNS_AS_ROOT);

        assertThat(strict.step(new AfterBuildHandler(strict.lifecycle, strict.aws, strict.config), ""))
                .isEqualTo(Map.of("proceed", false));

        strict.assertFailed(FailureCode.MISCONFIGURED, "DS002 (HIGH) Image user should not be 'root'");
    }

    @Test
    void atTheMisconfigurationThresholdAnImageWhoseDockerfileWasNotCheckedNeverRuns() {
        WorkflowFixture strict = new WorkflowFixture(Map.of("PERFBOX_MISCONFIG_THRESHOLD", "HIGH"));
        strict.putIn(JobStatus.BUILDING);
        strict.aws.putArtifact(strict.id, Artifact.LOG, BUILD_LOG);
        strict.aws.putArtifact(strict.id, Artifact.OUTCOME, """
                {"outcome":"BUILT","reason":"","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1"}
                """.formatted(StepInputs.imageUri(strict.id)));
        strict.aws.putArtifact(strict.id, Artifact.SCAN_REPORT, CLEAN_REPORT);

        assertThat(strict.step(new AfterBuildHandler(strict.lifecycle, strict.aws, strict.config), ""))
                .isEqualTo(Map.of("proceed", false));

        strict.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "no report of Trivy's Dockerfile checks");
    }

    @Test
    void aMisconfigurationReportThatIsNotTrivysFailsTheScan() {
        buildLeft(built(true), CLEAN_REPORT);
        f.aws.putArtifact(f.id, Artifact.MISCONFIG_REPORT, "<html>");

        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));

        f.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "Dockerfile report is not JSON");
    }

    @Test
    void pushedImageThatPassesThePolicyProceedsWithItsUriAndKeepsLogAndReport() {
        buildLeft(built(true), CLEAN_REPORT);

        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", true, "imageUri", StepInputs.imageUri(f.id)));

        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(f.stored().vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(f.artifacts.log(f.id, LogKind.BUILD)).contains(new CapturedLog(BUILD_LOG, false));
        ScanReport report = f.artifacts.scanReport(f.id).orElseThrow();
        assertThat(report.scanner()).isEqualTo("trivy");
        assertThat(report.scannerVersion()).isEqualTo("0.58.1");
        assertThat(report.findings()).extracting(finding -> finding.vulnerabilityId()).containsExactly("CVE-2011-3374");
    }

    @Test
    void theBuildsImageIdScannerAndDbTimeGoIntoTheJobsReceipt() {
        String id = "sha256:" + "c".repeat(64);
        buildLeft("""
                {"outcome":"BUILT","reason":"","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1","imageId":"%s",
                 "trivyDbUpdatedAt":"2026-12-07T06:12:03Z"}
                """.formatted(StepInputs.imageUri(f.id), id), CLEAN_REPORT);

        f.step(handler, "");

        RunReceipt receipt = f.stored().receipt();
        assertThat(receipt.imageDigest()).isEqualTo(id);
        assertThat(receipt.scanner().version()).isEqualTo("0.58.1");
        assertThat(receipt.scanner().dbUpdatedAt()).isEqualTo("2026-12-07T06:12:03Z");
    }

    @Test
    void imageTheGateHeldBackEndsVulnerableNamingTheFindings() {
        buildLeft(built(false), VULNERABLE_REPORT);

        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));

        f.assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387", "openssh-server", "fixed in 1:9.2p1-2+deb12u3");
        assertThat(f.stored().vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(f.artifacts.scanReport(f.id)).isPresent();
    }

    @Test
    void pushedImageThePolicyRejectsNeverRuns() {
        buildLeft(built(true), VULNERABLE_REPORT);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387");
    }

    @Test
    void gateAndPolicyDisagreeingStopsTheJobAsAScanProblem() {
        buildLeft(built(false), CLEAN_REPORT);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "held the image back");
    }

    @Test
    void imageOfAnotherJobIsNeverRun() {
        buildLeft("""
                {"outcome":"BUILT","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1"}
                """.formatted(StepInputs.imageUri(JobId.random())), CLEAN_REPORT);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.INTERNAL, "not this job's");
    }

    @Test
    void builtImageWithoutAScanReportNeverRuns() {
        buildLeft(built(true), null);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "no scan report");
    }

    @Test
    void scanReportThatIsNotTrivysNeverRuns() {
        buildLeft(built(true), "2026-03-01T12:03:00Z FATAL failed to download vulnerability DB");
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "not JSON");
    }

    @Test
    void failedBuildEndsBuildFailedWithItsReasonAndLog() {
        buildLeft("""
                {"outcome":"BUILD_FAILED","reason":"process \\"/bin/sh -c make\\" did not complete successfully: exit code: 2","pushed":false}
                """, null);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.BUILD_FAILED, "did not build", "exit code: 2");
        assertThat(f.artifacts.log(f.id, LogKind.BUILD)).contains(new CapturedLog(BUILD_LOG, false));
    }

    /**
     * A build log as the buildspec leaves it, captured from this machine's engine by build-output/capture.sh (BuildKit
     * plain progress, the Dockerfile on stdin, between the buildspec's own lines), and the Dockerfile it built.
     */
    private void failedBuildOf(String sample) {
        buildLeft("""
                {"outcome":"BUILD_FAILED","reason":"docker build exited with 1","pushed":false}
                """, null);
        f.aws.putArtifact(f.id, Artifact.LOG, resource(sample + ".build.log"));
        f.aws.putArtifact(f.id, Artifact.DOCKERFILE, resource(sample + ".dockerfile"));
    }

    private static String resource(String name) {
        try (var in = AfterBuildHandlerTest.class.getResourceAsStream("build-output/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void failedBuildNamesTheDockerfileLineAndInstructionQuotesTheStepsLastOutputAndSaysWhereTheWholeLogIs() {
        failedBuildOf("run-exit");

        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));

        assertThat(f.stored().failure().code()).isEqualTo(FailureCode.BUILD_FAILED);
        assertThat(f.stored().failure().message()).isEqualTo("""
                The image did not build: line 3: RUN echo "step one" && echo "to stderr" >&2 && exit 3: exit code: 3
                Its last 2 lines of output:
                  | step one
                  | to stderr
                The whole build output: perfbox logs %s""".formatted(f.id.value()));
        assertThat(f.artifacts.log(f.id, LogKind.BUILD).orElseThrow().text()).isEqualTo(resource("run-exit.build.log"));
    }

    @Test
    void failedStepOfALaterStageQuotesOnlyItsLastTwentyLines() {
        failedBuildOf("long-output");

        f.step(handler, "");

        String message = f.stored().failure().message();
        assertThat(message).startsWith("The image did not build: line 2: RUN seq 1 30 && false: exit code: 1\n"
                + "Its last 20 lines of output:\n  | 11\n  | 12\n");
        assertThat(message).contains("  | 30\nThe whole build output: perfbox logs " + f.id.value())
                .doesNotContain("  | 10\n");
    }

    @Test
    void copyOfAFileThatIsNotThereSaysTheDockerfileIsTheWholeContextAsLocally() {
        failedBuildOf("copy-missing");

        f.step(handler, "");

        f.assertFailed(FailureCode.BUILD_FAILED, "The image did not build: line 3: COPY settings.json /app/: ",
                "the Dockerfile is the whole build context", "perfbox logs " + f.id.value());
    }

    @Test
    void failedBuildWhoseDockerfileIsNotThereKeepsTheBuildsOwnReason() {
        failedBuildOf("run-exit");
        f.aws.removeArtifact(f.id, Artifact.DOCKERFILE);

        f.step(handler, "");

        assertThat(f.stored().failure().message()).isEqualTo("The image did not build: docker build exited with 1");
    }

    @Test
    void failedBuildWhoseLogNamesNoStepOfItsDockerfileKeepsTheBuildsOwnReason() {
        failedBuildOf("run-exit");
        // Another Dockerfile than the one built: the failed vertex ([3/3] here) is no step of it, so nothing is named.
        f.aws.putArtifact(f.id, Artifact.DOCKERFILE, "FROM debian:bookworm\n");

        f.step(handler, "");

        assertThat(f.stored().failure().message()).isEqualTo("The image did not build: docker build exited with 1");
    }

    @Test
    void buildARegistryThrottledIsLeftUnrecordedForTheWorkflowToTryAgain() {
        buildLeft("""
                {"outcome":"BUILD_FAILED","reason":"docker build exited with 1","pushed":false}
                """, null);
        // radius-project/radius issue #8021: BuildKit's final error for Docker Hub's pull rate limit.
        f.aws.putArtifact(f.id, Artifact.LOG, "#3 [internal] load metadata for docker.io/library/golang:1.22-alpine\n"
                + "ERROR: failed to solve: golang:1.22-alpine: failed to resolve source metadata for"
                + " docker.io/library/golang:1.22-alpine: failed to copy: httpReadSeeker: failed open: unexpected status"
                + " code https://registry-1.docker.io/v2/library/golang/manifests/sha256:f56a: 429 Too Many Requests -"
                + " Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit"
                + " by authenticating and upgrading: https://www.docker.com/increase-rate-limit\n"
                + "[perfbox] docker build failed (exit 1)\n");
        JobStatus before = f.stored().status();

        assertThatThrownBy(() -> f.step(handler, "")).isInstanceOf(RegistryThrottledException.class)
                .hasMessageContaining("toomanyrequests");
        assertThat(f.stored().status()).as("not the customer's BUILD_FAILED").isEqualTo(before);
    }

    @Test
    void dockerfileRefusedByThePolicyInTheBuildEndsInvalidDockerfileAsLocally() {
        buildLeft("""
                {"outcome":"INVALID_DOCKERFILE","reason":"line 2: ADD of a URL ('http://169.254.170.2/x') is refused","pushed":false}
                """, null);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.INVALID_DOCKERFILE, "ADD of a URL");
    }

    @Test
    void dockerfileTheBuilderCannotParseEndsInvalidDockerfile() {
        buildLeft("""
                {"outcome":"BUILD_FAILED","reason":"dockerfile parse error on line 1: unknown instruction: FORM","pushed":false}
                """, null);
        f.step(handler, "");
        f.assertFailed(FailureCode.INVALID_DOCKERFILE, "unknown instruction: FORM");
    }

    @Test
    void buildTimeoutEndsBuildTimeout() {
        buildLeft("""
                {"outcome":"BUILD_TIMEOUT","reason":"docker build did not finish within 900 seconds","pushed":false}
                """, null);
        f.step(handler, "");
        f.assertFailed(FailureCode.BUILD_TIMEOUT, "did not finish within its time limit", "900 seconds");
    }

    @Test
    void imageOverTheSizeLimitEndsImageTooLarge() {
        buildLeft("""
                {"outcome":"IMAGE_TOO_LARGE","reason":"the image is 12288.0 MiB, over the limit of 10240.0 MiB","pushed":false}
                """, null);
        f.step(handler, "");
        f.assertFailed(FailureCode.IMAGE_TOO_LARGE, "too large", "over the limit of 10240.0 MiB");
    }

    @Test
    void failedScanEndsScannerUnavailableWithTheReason() {
        buildLeft("""
                {"outcome":"SCAN_FAILED","reason":"trivy: context deadline exceeded","pushed":false,"trivyVersion":"0.58.1"}
                """, null);
        f.step(handler, "");
        f.assertFailed(FailureCode.SCANNER_UNAVAILABLE, "trivy: context deadline exceeded");
        assertThat(f.stored().stages().scanStartedAt()).isNotNull();
    }

    @Test
    void missingOutcomeEndsInternalButKeepsTheBuildLog() {
        buildLeft(null, null);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.INTERNAL, "no build-outcome.json");
        assertThat(f.artifacts.log(f.id, LogKind.BUILD)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"outcome\":\"PARTLY\"}", "not json", "[]", "{\"outcome\":\"BUILT\",\"pushed\":true}"})
    void unusableOutcomeEndsInternal(String outcome) {
        buildLeft(outcome, CLEAN_REPORT);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        f.assertFailed(FailureCode.INTERNAL, "build-outcome.json");
    }

    @Test
    void buildLogTheBuildCutShortIsMarkedTruncated() {
        buildLeft(built(true), CLEAN_REPORT);
        f.aws.putArtifact(f.id, Artifact.LOG, "#1 step\n".repeat(10) + "[truncated]\n");
        f.step(handler, "");
        assertThat(f.artifacts.log(f.id, LogKind.BUILD).orElseThrow().truncated()).isTrue();
    }

    @Test
    void buildLogLargerThanTheBoundIsCutAndMarkedTruncated() {
        buildLeft(built(true), CLEAN_REPORT);
        f.aws.putArtifact(f.id, Artifact.LOG, "x".repeat(AfterBuildHandler.BUILD_LOG_MAX_BYTES + 10));
        f.step(handler, "");
        CapturedLog log = f.artifacts.log(f.id, LogKind.BUILD).orElseThrow();
        assertThat(log.truncated()).isTrue();
        assertThat(log.text()).hasSize(AfterBuildHandler.BUILD_LOG_MAX_BYTES);
    }

    @Test
    void repeatedAfterBuildProceedsAgain() {
        buildLeft(built(true), CLEAN_REPORT);
        f.step(handler, "");
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", true, "imageUri", StepInputs.imageUri(f.id)));
    }

    @Test
    void jobCancelledDuringTheBuildDoesNotProceed() {
        f.putIn(JobStatus.CANCELLED);
        buildLeft(built(true), CLEAN_REPORT);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        assertThat(f.stored().status()).isEqualTo(JobStatus.CANCELLED);
    }
}
