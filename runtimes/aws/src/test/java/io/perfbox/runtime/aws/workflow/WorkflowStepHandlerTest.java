package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.s3.BuildArtifacts;

import static io.perfbox.runtime.aws.workflow.StepInputs.TASK_ARN;
import static io.perfbox.runtime.aws.workflow.StepInputs.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.lifecycle.JobProgress;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.SteppingClock;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.logging.CapturedLogLines;
import io.perfbox.logging.JobLogContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class WorkflowStepHandlerTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final String BUILD_LOG = "#1 [internal] load build definition from Dockerfile\n#5 DONE 0.4s\n";
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1\nepoch 2\n", false);

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

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final FakeAwsResources aws = new FakeAwsResources();
    private final WorkflowConfig config = WorkflowConfig.fromEnvironment(StepInputs.ENV);
    private final WorkflowStepHandler handler = new WorkflowStepHandler(
            new JobProgress(jobs, artifacts, config.policy(), config.runMemoryLimitBytes(), new SteppingClock(START)),
            aws.ports(), config);
    private final Job queued = Job.queued(JobId.random(), "alice", "bench", null, START);
    private final JobId id = queued.id();

    WorkflowStepHandlerTest() {
        jobs.create(queued, Optional.empty());
    }

    private Map<String, Object> step(String json) {
        return handler.handleRequest(input(json), null);
    }

    private Map<String, Object> step(String action, String moreFields) {
        return step("{\"action\":\"" + action + "\",\"jobId\":\"" + id + "\"" + (moreFields.isEmpty() ? "" : "," + moreFields) + "}");
    }

    private Job stored() {
        return jobs.find(id).orElseThrow();
    }

    private Job putIn(JobStatus status) {
        Job moved = JobFixtures.inStatus(queued, status, START);
        jobs.update(moved, EnumSet.allOf(JobStatus.class));
        return moved;
    }

    private void assertFailed(FailureCode code, String... messageParts) {
        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure().code()).isEqualTo(code);
        for (String part : messageParts) {
            assertThat(stored().failure().message()).contains(part);
        }
    }

    private void buildLeft(String outcomeJson, String report) {
        aws.putArtifact(id, Artifact.LOG, BUILD_LOG);
        if (outcomeJson != null) {
            aws.putArtifact(id, Artifact.OUTCOME, outcomeJson);
        }
        if (report != null) {
            aws.putArtifact(id, Artifact.SCAN_REPORT, report);
        }
    }

    private String built(boolean pushed) {
        return """
                {"outcome":"BUILT","reason":"","imageUri":"%s","pushed":%s,"trivyVersion":"0.58.1"}
                """.formatted(StepInputs.imageUri(id), pushed);
    }

    private static String result(String kind, String extra) {
        return "\"result\":{\"result\":\"" + kind + "\"" + extra + "}";
    }

    private static String content(String text) {
        return result("CONTENT", ",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"");
    }

    @Nested
    class Begin {
        @Test
        void queuedJobProceedsAndIsBuilding() {
            assertThat(step("begin", "")).isEqualTo(Map.of("proceed", true));
            assertThat(stored().status()).isEqualTo(JobStatus.BUILDING);
        }

        @Test
        void cancelledJobDoesNotProceed() {
            Job cancelled = putIn(JobStatus.CANCELLED);
            assertThat(step("begin", "")).isEqualTo(Map.of("proceed", false));
            assertThat(stored()).isEqualTo(cancelled);
        }

        @Test
        void deletedJobDoesNotProceed() {
            jobs.delete(id);
            assertThat(step("begin", "")).isEqualTo(Map.of("proceed", false));
        }
    }

    @Nested
    class AfterBuild {
        AfterBuild() {
            putIn(JobStatus.BUILDING);
        }

        @Test
        void pushedImageThatPassesThePolicyProceedsWithItsUriAndKeepsLogAndReport() {
            buildLeft(built(true), CLEAN_REPORT);

            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", true, "imageUri", StepInputs.imageUri(id)));

            assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
            assertThat(stored().vulnerabilities().get(Severity.LOW)).isEqualTo(1);
            assertThat(artifacts.log(id, LogKind.BUILD)).contains(new CapturedLog(BUILD_LOG, false));
            ScanReport report = artifacts.scanReport(id).orElseThrow();
            assertThat(report.scanner()).isEqualTo("trivy");
            assertThat(report.scannerVersion()).isEqualTo("0.58.1");
            assertThat(report.findings()).extracting(f -> f.vulnerabilityId()).containsExactly("CVE-2011-3374");
        }

        @Test
        void imageTheGateHeldBackEndsVulnerableNamingTheFindings() {
            buildLeft(built(false), VULNERABLE_REPORT);

            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));

            assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387", "openssh-server", "fixed in 1:9.2p1-2+deb12u3");
            assertThat(stored().vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
            assertThat(artifacts.scanReport(id)).isPresent();
        }

        @Test
        void pushedImageThePolicyRejectsNeverRuns() {
            buildLeft(built(true), VULNERABLE_REPORT);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387");
        }

        @Test
        void gateAndPolicyDisagreeingStopsTheJobAsAScanProblem() {
            buildLeft(built(false), CLEAN_REPORT);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.SCANNER_UNAVAILABLE, "held the image back");
        }

        @Test
        void imageOfAnotherJobIsNeverRun() {
            buildLeft("""
                    {"outcome":"BUILT","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1"}
                    """.formatted(StepInputs.imageUri(JobId.random())), CLEAN_REPORT);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.INTERNAL, "not this job's");
        }

        @Test
        void builtImageWithoutAScanReportNeverRuns() {
            buildLeft(built(true), null);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.SCANNER_UNAVAILABLE, "no scan report");
        }

        @Test
        void scanReportThatIsNotTrivysNeverRuns() {
            buildLeft(built(true), "2026-03-01T12:03:00Z FATAL failed to download vulnerability DB");
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.SCANNER_UNAVAILABLE, "not JSON");
        }

        @Test
        void failedBuildEndsBuildFailedWithItsReasonAndLog() {
            buildLeft("""
                    {"outcome":"BUILD_FAILED","reason":"process \\"/bin/sh -c make\\" did not complete successfully: exit code: 2","pushed":false}
                    """, null);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.BUILD_FAILED, "did not build", "exit code: 2");
            assertThat(artifacts.log(id, LogKind.BUILD)).contains(new CapturedLog(BUILD_LOG, false));
        }

        @Test
        void dockerfileTheBuilderCannotParseEndsInvalidDockerfile() {
            buildLeft("""
                    {"outcome":"BUILD_FAILED","reason":"dockerfile parse error on line 1: unknown instruction: FORM","pushed":false}
                    """, null);
            step("after-build", "");
            assertFailed(FailureCode.INVALID_DOCKERFILE, "unknown instruction: FORM");
        }

        @Test
        void buildTimeoutEndsBuildTimeout() {
            buildLeft("""
                    {"outcome":"BUILD_TIMEOUT","reason":"docker build did not finish within 900 seconds","pushed":false}
                    """, null);
            step("after-build", "");
            assertFailed(FailureCode.BUILD_TIMEOUT, "did not finish within its time limit", "900 seconds");
        }

        @Test
        void imageOverTheSizeLimitEndsImageTooLarge() {
            buildLeft("""
                    {"outcome":"IMAGE_TOO_LARGE","reason":"the image is 12288.0 MiB, over the limit of 10240.0 MiB","pushed":false}
                    """, null);
            step("after-build", "");
            assertFailed(FailureCode.IMAGE_TOO_LARGE, "too large", "over the limit of 10240.0 MiB");
        }

        @Test
        void failedScanEndsScannerUnavailableWithTheReason() {
            buildLeft("""
                    {"outcome":"SCAN_FAILED","reason":"trivy: context deadline exceeded","pushed":false,"trivyVersion":"0.58.1"}
                    """, null);
            step("after-build", "");
            assertFailed(FailureCode.SCANNER_UNAVAILABLE, "trivy: context deadline exceeded");
            assertThat(stored().stages().scanStartedAt()).isNotNull();
        }

        @Test
        void missingOutcomeEndsInternalButKeepsTheBuildLog() {
            buildLeft(null, null);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.INTERNAL, "no build-outcome.json");
            assertThat(artifacts.log(id, LogKind.BUILD)).isPresent();
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"outcome\":\"PARTLY\"}", "not json", "[]", "{\"outcome\":\"BUILT\",\"pushed\":true}"})
        void unusableOutcomeEndsInternal(String outcome) {
            buildLeft(outcome, CLEAN_REPORT);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertFailed(FailureCode.INTERNAL, "build-outcome.json");
        }

        @Test
        void buildLogTheBuildCutShortIsMarkedTruncated() {
            buildLeft(built(true), CLEAN_REPORT);
            aws.putArtifact(id, Artifact.LOG, "#1 step\n".repeat(10) + "[truncated]\n");
            step("after-build", "");
            assertThat(artifacts.log(id, LogKind.BUILD).orElseThrow().truncated()).isTrue();
        }

        @Test
        void buildLogLargerThanTheBoundIsCutAndMarkedTruncated() {
            buildLeft(built(true), CLEAN_REPORT);
            aws.putArtifact(id, Artifact.LOG, "x".repeat(WorkflowStepHandler.BUILD_LOG_MAX_BYTES + 10));
            step("after-build", "");
            CapturedLog log = artifacts.log(id, LogKind.BUILD).orElseThrow();
            assertThat(log.truncated()).isTrue();
            assertThat(log.text()).hasSize(WorkflowStepHandler.BUILD_LOG_MAX_BYTES);
        }

        @Test
        void repeatedAfterBuildProceedsAgain() {
            buildLeft(built(true), CLEAN_REPORT);
            step("after-build", "");
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", true, "imageUri", StepInputs.imageUri(id)));
        }

        @Test
        void jobCancelledDuringTheBuildDoesNotProceed() {
            putIn(JobStatus.CANCELLED);
            buildLeft(built(true), CLEAN_REPORT);
            assertThat(step("after-build", "")).isEqualTo(Map.of("proceed", false));
            assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
        }
    }

    @Nested
    class PrepareRun {
        @Test
        void createsTheAccessPointThenATaskDefinitionMountingIt() {
            Map<String, Object> out = step("prepare-run", "\"imageUri\":\"" + StepInputs.imageUri(id) + "\"");

            assertThat(out).isEqualTo(Map.of(
                    "taskDefinitionArn", "arn:aws:ecs:eu-west-1:123456789012:task-definition/perfbox-job-" + id + ":1",
                    "accessPointId", "fsap-0123456789abcdef0"));
            assertThat(aws.calls()).containsExactly("createAccessPoint " + id,
                    "registerTaskDefinition " + id + " " + StepInputs.imageUri(id) + " fsap-0123456789abcdef0");
        }

        @Test
        void imageOfAnotherJobIsRefusedBeforeAnythingIsCreated() {
            String other = StepInputs.imageUri(JobId.random());
            assertThatThrownBy(() -> step("prepare-run", "\"imageUri\":\"" + other + "\""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not this job's image");
            assertThat(aws.calls()).isEmpty();
        }
    }

    @Nested
    class RecordRun {
        RecordRun() {
            putIn(JobStatus.RUNNING);
            aws.putRunLog(TASK_ARN, RUN_LOG);
        }

        @Test
        void runThatExitedZeroWithAValidResultSucceedsAndKeepsTheRunLog() {
            Map<String, Object> out = step("record-run", "\"task\":" + StepInputs.succeededTask(id) + "," + content("{\"perf\":0.99}"));

            assertThat(out).isEqualTo(Map.of("recorded", true));
            assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(stored().performance()).isEqualTo(0.99);
            assertThat(artifacts.log(id, LogKind.RUN)).contains(RUN_LOG);
            assertThat(aws.calls()).containsExactly("readRunLog " + TASK_ARN);
        }

        @Test
        void runThatExitedZeroWithoutPerfJsonEndsNoResult() {
            step("record-run", "\"task\":" + StepInputs.succeededTask(id) + "," + result("MISSING", ""));
            assertFailed(FailureCode.NO_RESULT, "/data/perf.json");
        }

        @Test
        void linkAtPerfJsonEndsInvalidResult() {
            step("record-run", "\"task\":" + StepInputs.succeededTask(id) + ","
                    + result("NOT_REGULAR_FILE", ",\"kind\":\"symbolic link\""));
            assertFailed(FailureCode.INVALID_RESULT, "symbolic link", "not followed");
        }

        @Test
        void oversizedPerfJsonEndsInvalidResult() {
            step("record-run", "\"task\":" + StepInputs.succeededTask(id) + "," + result("TOO_LARGE", ",\"limit\":65536"));
            assertFailed(FailureCode.INVALID_RESULT, "larger than 65536 bytes");
        }

        @Test
        void malformedPerfJsonEndsInvalidResultWithTheParsersReason() {
            step("record-run", "\"task\":" + StepInputs.succeededTask(id) + "," + content("{\"perf\":\"fast\"}"));
            assertFailed(FailureCode.INVALID_RESULT, "\"perf\" must be a number");
        }

        @Test
        void containerThatExitedOneEndsRunFailedWithItsLogAndNeedsNoResult() {
            step("record-run", "\"error\":" + StepInputs.exitedError(id, 1));

            assertFailed(FailureCode.RUN_FAILED, "exited with code 1");
            assertThat(artifacts.log(id, LogKind.RUN)).contains(RUN_LOG);
        }

        @Test
        void containerKilledForMemoryEndsOutOfMemoryNamingTheTaskMemory() {
            step("record-run", "\"error\":" + StepInputs.outOfMemoryError(id));
            assertFailed(FailureCode.OUT_OF_MEMORY, "2048 MiB");
        }

        @Test
        void runPastItsTimeoutIsStoppedAndEndsRunTimeoutWithTheLogSoFar() {
            aws.tasks(List.of(TASK_ARN), List.of());

            step("record-run", "\"error\":" + StepInputs.timeoutError() + "," + result("MISSING", ""));

            assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes", "stopped");
            assertThat(aws.calls()).containsExactly("stopTasks " + id, "readRunLog " + TASK_ARN);
            assertThat(artifacts.log(id, LogKind.RUN)).contains(RUN_LOG);
        }

        @Test
        void timeoutAfterTheTaskWasAlreadyStoppedStillRecordsItsLog() {
            aws.tasks(List.of(), List.of(TASK_ARN));
            step("record-run", "\"error\":{\"Error\":\"States.Timeout\",\"Cause\":\"\",\"timedOut\":true}");
            assertFailed(FailureCode.RUN_TIMEOUT);
            assertThat(artifacts.log(id, LogKind.RUN)).contains(RUN_LOG);
        }

        @Test
        void containerThatCouldNotBePulledEndsRunFailedWithTheReason() {
            step("record-run", "\"error\":" + StepInputs.cannotPullError(id));
            assertFailed(FailureCode.RUN_FAILED, "could not start", "CannotPullContainerError");
        }

        @Test
        void taskEcsRefusedToStartEndsInternal() {
            step("record-run", "\"error\":" + StepInputs.error("ECS.AmazonECSException",
                    "No Container Instances were found in your capacity provider (Service: AmazonECS; Status Code: 400)"));
            assertFailed(FailureCode.INTERNAL, "could not be started", "ECS.AmazonECSException");
        }

        @Test
        void successWithoutTheResultIsAnErrorAndTheJobStaysRunning() {
            assertThatThrownBy(() -> step("record-run", "\"task\":" + StepInputs.succeededTask(id)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-result");
            assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
        }

        @Test
        void cancelledJobIsNotOverwritten() {
            Job cancelled = putIn(JobStatus.CANCELLED);
            assertThat(step("record-run", "\"task\":" + StepInputs.succeededTask(id) + "," + content("0.5")))
                    .isEqualTo(Map.of("recorded", false));
            assertThat(stored()).isEqualTo(cancelled);
        }
    }

    @Nested
    class CleanUp {
        @Test
        void removesTasksTaskDefinitionsAccessPointAndImage() {
            assertThat(step("clean-up", "")).isEqualTo(Map.of("cleanedUp", true));
            assertThat(aws.calls()).containsExactly("stopTasks " + id, "removeTaskDefinitions " + id,
                    "deleteAccessPoint " + id, "deleteImage " + id);
        }

        @Test
        void partThatFailsDoesNotKeepTheOthersFromBeingRemoved() {
            aws.failOn("deleteAccessPoint", new IllegalStateException("EFS throttled"));

            assertThatThrownBy(() -> step("clean-up", "")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("access point").hasMessageContaining("EFS throttled");
            assertThat(aws.calls()).contains("deleteImage " + id);
        }
    }

    @Nested
    class Logs {
        @Test
        void everyLineOfAnInvocationCarriesItsJobIdAndTheThreadKeepsNone() {
            aws.failOn("deleteAccessPoint", new IllegalStateException("EFS throttled"));

            try (CapturedLogLines logs = new CapturedLogLines()) {
                assertThatThrownBy(() -> step("clean-up", "")).isInstanceOf(IllegalStateException.class);

                assertThat(logs.json()).extracting(line -> line.path("level").asText()).containsExactly("INFO", "WARN");
                assertThat(logs.json()).allSatisfy(line -> assertThat(line.path("jobId").asText()).isEqualTo(id.value()));
                assertThat(logs.json().get(1).path("error").asText()).contains("EFS throttled");
            }
            assertThat(JobLogContext.get()).isNull();
        }
    }

    @Nested
    class Fail {
        @Test
        void buildStateTimeoutEndsBuildTimeout() {
            putIn(JobStatus.BUILDING);
            assertThat(step("fail", "\"stage\":\"build\",\"error\":" + StepInputs.timeoutError()))
                    .isEqualTo(Map.of("recorded", true));
            assertFailed(FailureCode.BUILD_TIMEOUT, "time limit");
        }

        @Test
        void buildThatCodeBuildTimedOutEndsBuildTimeout() {
            putIn(JobStatus.BUILDING);
            String build = "{\"Build\":{\"Arn\":\"arn:aws:codebuild:eu-west-1:123456789012:build/perfbox-build:1\","
                    + "\"BuildStatus\":\"TIMED_OUT\",\"CurrentPhase\":\"COMPLETED\"}}";
            step("fail", "\"stage\":\"BuildAndScan\",\"error\":" + StepInputs.error("States.TaskFailed", build));
            assertFailed(FailureCode.BUILD_TIMEOUT);
        }

        @Test
        void lambdaThatThrewEndsInternalNamingTheStepAndTheError() {
            putIn(JobStatus.BUILDING);
            step("fail", "\"stage\":\"after-build\",\"error\":"
                    + StepInputs.lambdaError("java.lang.IllegalStateException", "S3 unreachable"));
            assertFailed(FailureCode.INTERNAL, "after-build", "IllegalStateException: S3 unreachable");
        }

        @Test
        void runStageFailureIsRecordedAsTheRunItWasWithItsLog() {
            putIn(JobStatus.RUNNING);
            aws.putRunLog(TASK_ARN, RUN_LOG);
            step("fail", "\"stage\":\"run\",\"error\":" + StepInputs.exitedError(id, 3));
            assertFailed(FailureCode.RUN_FAILED, "exited with code 3");
            assertThat(artifacts.log(id, LogKind.RUN)).contains(RUN_LOG);
        }

        @Test
        void runStageTimeoutEndsRunTimeout() {
            putIn(JobStatus.RUNNING);
            step("fail", "\"stage\":\"RunTask\",\"error\":" + StepInputs.timeoutError());
            assertFailed(FailureCode.RUN_TIMEOUT);
        }

        @Test
        void failureWithoutAnErrorStillEndsTheJob() {
            putIn(JobStatus.SCANNING);
            step("fail", "\"stage\":\"prepare-run\"");
            assertFailed(FailureCode.INTERNAL, "prepare-run");
        }

        @ParameterizedTest
        @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
        void endedJobIsLeftAsItIs(JobStatus status) {
            Job ended = putIn(status);
            assertThat(step("fail", "\"stage\":\"clean-up\",\"error\":" + StepInputs.lambdaError("java.lang.RuntimeException", "x")))
                    .isEqualTo(Map.of("recorded", false));
            assertThat(stored()).isEqualTo(ended);
        }
    }

    @Nested
    class ExecutionEnded {
        @Test
        void abortedExecutionCleansUpAndEndsAnActiveJobInterrupted() {
            putIn(JobStatus.RUNNING);

            assertThat(step("execution-ended", "\"status\":\"ABORTED\"")).isEqualTo(Map.of("recorded", true));

            assertFailed(FailureCode.INTERRUPTED, "RUNNING");
            assertThat(aws.calls()).contains("stopTasks " + id, "deleteAccessPoint " + id, "deleteImage " + id);
        }

        @ParameterizedTest
        @ValueSource(strings = {"TIMED_OUT", "FAILED"})
        void executionThatTimedOutOrFailedEndsAnActiveJobInternal(String status) {
            putIn(JobStatus.BUILDING);
            step("execution-ended", "\"status\":\"" + status + "\"");
            assertFailed(FailureCode.INTERNAL, "BUILDING");
        }

        @Test
        void cancelledJobStaysCancelledAndIsCleanedUp() {
            Job cancelled = putIn(JobStatus.CANCELLED);
            assertThat(step("execution-ended", "\"status\":\"ABORTED\"")).isEqualTo(Map.of("recorded", false));
            assertThat(stored()).isEqualTo(cancelled);
            assertThat(aws.calls()).hasSize(4);
        }

        @Test
        void jobIsEndedEvenWhenCleanUpFails() {
            putIn(JobStatus.RUNNING);
            aws.failOn("stopTasks", new IllegalStateException("ECS unavailable"));

            assertThatThrownBy(() -> step("execution-ended", "\"status\":\"ABORTED\""))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("ECS unavailable");
            assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        }

        @Test
        void statusThatIsNotAnAbnormalEndIsRefused() {
            assertThatThrownBy(() -> step("execution-ended", "\"status\":\"SUCCEEDED\""))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void unknownActionIsRefused() {
        assertThatThrownBy(() -> step("launch-missiles", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("launch-missiles");
    }

    @Test
    void malformedJobIdIsRefused() {
        assertThatThrownBy(() -> step("{\"action\":\"begin\",\"jobId\":\"../../etc\"}"))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void inputWithoutAJobIdIsRefused() {
        assertThatThrownBy(() -> step("{\"action\":\"begin\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobId");
    }
}
