package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.aws.RecordedPayloads;
import io.perfbox.testing.aws.StepInputs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordFailureHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1\nepoch 2\n", false);
    private final RecordFailureHandler handler = new RecordFailureHandler(f.runs);


    @Test
    void theBuildStatesOwnTimerIsPerfboxsFailureNotTheCustomers() {
        // The state's timer is set past CodeBuild's queue and build limits: when it fires, CodeBuild never answered.
        f.putIn(JobStatus.BUILDING);
        assertThat(f.step(handler, "\"stage\":\"build\",\"error\":" + StepInputs.timeoutError()))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.INTERNAL, "did not finish in time");
    }

    @Test
    void buildThatCodeBuildTimedOutEndsBuildTimeout() {
        f.putIn(JobStatus.BUILDING);
        String build = "{\"Build\":{\"Arn\":\"arn:aws:codebuild:eu-west-1:123456789012:build/perfbox-build:1\","
                + "\"BuildStatus\":\"TIMED_OUT\",\"CurrentPhase\":\"COMPLETED\"}}";
        f.step(handler, "\"stage\":\"BuildAndScan\",\"error\":" + StepInputs.error("States.TaskFailed", build));
        f.assertFailed(FailureCode.BUILD_TIMEOUT);
    }

    @Test
    void lambdaThatThrewEndsInternalNamingTheStepAndTheError() {
        f.putIn(JobStatus.BUILDING);
        f.step(handler, "\"stage\":\"after-build\",\"error\":"
                + StepInputs.lambdaError("java.lang.IllegalStateException", "S3 unreachable"));
        f.assertFailed(FailureCode.INTERNAL, "after-build", "IllegalStateException: S3 unreachable");
    }

    @Test
    void runStageFailureIsRecordedAsTheRunItWasWithItsLog() {
        f.putIn(JobStatus.RUNNING);
        f.aws.putRunLog(TASK_ARN, RUN_LOG);
        f.step(handler, "\"stage\":\"run\",\"error\":" + StepInputs.exitedError(f.id, 3));
        f.assertFailed(FailureCode.RUN_FAILED, "exited with code 3");
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void runStageTimerFiringIsTheTaskNotStartingInTimeNotTheCustomersRunTimeout() {
        f.putIn(JobStatus.RUNNING);
        f.step(handler, "\"stage\":\"RunTask\",\"error\":" + StepInputs.timeoutError());
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "did not start in time");
    }

    @Test
    void runStageFailureOfATaskTheRunClockStoppedEndsRunTimeout() {
        f.putIn(JobStatus.RUNNING);
        f.aws.putRunLog(TASK_ARN, RUN_LOG);
        f.step(handler, "\"stage\":\"run\",\"error\":" + StepInputs.runClockExpiredError(f.id, 900_000));
        f.assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes");
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void failureWithoutAnErrorStillEndsTheJob() {
        f.putIn(JobStatus.SCANNING);
        f.step(handler, "\"stage\":\"prepare-run\"");
        f.assertFailed(FailureCode.INTERNAL, "prepare-run");
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void endedJobIsLeftAsItIs(JobStatus status) {
        Job ended = f.putIn(status);
        assertThat(f.step(handler, "\"stage\":\"clean-up\",\"error\":" + StepInputs.lambdaError("java.lang.RuntimeException", "x")))
                .isEqualTo(Map.of("recorded", false, "retry", false));
        assertThat(f.stored()).isEqualTo(ended);
    }

    // ---- the platform's failures of the build, and of a Lambda step ----

    private static final String RETRY_2_OF_3 = ",\"retry\":{\"attempt\":2,\"maxAttempts\":3,\"backoffSeconds\":30}";
    private static final String RETRY_3_OF_3 = ",\"retry\":{\"attempt\":3,\"maxAttempts\":3,\"backoffSeconds\":30}";

    /**
     * CodeBuild's build (the documented BatchGetBuilds example, RecordedPayloads.CODEBUILD_BUILD_SUCCEEDED, as .sync
     * puts it in the Cause: StepInputs.codeBuild) that ended status, the given phase with that status and a
     * CLIENT_ERROR context carrying message.
     */
    private static String buildFailedIn(String status, String failedPhase, String message) {
        return StepInputs.codeBuild(status, failedPhase, status, RecordedPayloads.CONTEXT_CLIENT_ERROR, message);
    }

    private Map<String, Object> buildFailed(String error, String cause, String retry) {
        return f.step(handler, "\"stage\":\"build\",\"error\":" + StepInputs.error(error, cause) + retry);
    }

    @Test
    void buildThatFailedBeforeTheBuildspecRanIsRetriedWithABackoffThatDoubles() {
        f.putIn(JobStatus.BUILDING);
        for (String phase : List.of("QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE")) {
            assertThat(buildFailed("States.TaskFailed", buildFailedIn("FAILED", phase, "Unable to provision"), RETRY_2_OF_3))
                    .isEqualTo(Map.of("recorded", false, "retry", true, "waitSeconds", 60));
        }
        assertThat(f.stored().status()).isEqualTo(JobStatus.BUILDING);
    }

    @Test
    void buildThatFaultedOrHitTheAccountLimitOnTheLastAttemptEndsPlatformFailure() {
        f.putIn(JobStatus.BUILDING);
        assertThat(buildFailed("States.TaskFailed", buildFailedIn("FAULT", "BUILD", "internal error"), RETRY_3_OF_3))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "FAULT", "BUILD", "resubmitting it is safe");

        f.putIn(JobStatus.BUILDING);
        buildFailed("CodeBuild.AccountLimitExceededException", "Cannot have more than 1 builds in queue for the account",
                RETRY_3_OF_3);
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "CodeBuild refused", "more than 1 builds in queue");
    }

    /**
     * AfterBuild's RegistryThrottledException as Step Functions catches a Java Lambda's exception: Error is its
     * errorType (the class name), Cause the function's error payload, {"errorMessage","errorType","stackTrace"}
     * (AWS Step Functions Developer Guide, "Handling errors": Lambda function errors).
     */
    private static final String THROTTLED_CAUSE = "{\"errorMessage\":\"a registry throttled the build's pull: ERROR:"
            + " failed to solve: debian:bookworm: 429 Too Many Requests - Server message: toomanyrequests: You have reached"
            + " your pull rate limit.\",\"errorType\":\"" + RegistryThrottledException.ERROR + "\",\"stackTrace\":[]}";

    @Test
    void buildARegistryThrottledIsThePlatformsFailureRetriedThenRecordedAsSuch() {
        f.putIn(JobStatus.BUILDING);
        Map<String, Object> retried = buildFailed(RegistryThrottledException.ERROR, THROTTLED_CAUSE, RETRY_2_OF_3);
        assertThat(retried).containsEntry("retry", true);

        buildFailed(RegistryThrottledException.ERROR, THROTTLED_CAUSE, RETRY_3_OF_3);
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "toomanyrequests");
    }

    @Test
    void buildThatFailedInTheBuildspecIsPerfboxsOwnFailureAndNotRetried() {
        f.putIn(JobStatus.BUILDING);
        assertThat(buildFailed("States.TaskFailed", buildFailedIn("FAILED", "PRE_BUILD", "exit status 1"), RETRY_2_OF_3))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.INTERNAL, "build");
    }

    @Test
    void buildPlatformFailureWithoutARetryPolicyIsReportedAtOnce() {
        f.putIn(JobStatus.BUILDING);
        buildFailed("States.TaskFailed", buildFailedIn("FAILED", "PROVISIONING", "Unable to provision"), "");
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "1 attempt", "PROVISIONING (Unable to provision)");
    }

    @Test
    void lambdaStepTheLambdaServiceFailedOnEveryRetryEndsPlatformFailure() {
        f.putIn(JobStatus.SCANNING);
        f.step(handler, "\"stage\":\"prepare-run\",\"error\":" + StepInputs.error("Lambda.ServiceException",
                "Lambda is unable to process the request (Service: Lambda, Status Code: 500)"));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "7 attempts", "Lambda service", "prepare-run", "Status Code: 500");
    }

    @Test
    void otherStagesPlatformLookingErrorsAreNotRetried() {
        f.putIn(JobStatus.SCANNING);
        assertThat(f.step(handler, "\"stage\":\"prepare-run\",\"error\":" + StepInputs.error(
                "CodeBuild.AccountLimitExceededException", "x") + RETRY_2_OF_3))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.INTERNAL, "prepare-run");
    }

    // ---- one rule per CodeBuild status: how the recorder maps each (RecordedPayloads.CODEBUILD_STATUSES) ----

    /**
     * Every status CodeBuild gives a phase (CodeBuild API Reference, BuildPhase: SUCCEEDED | FAILED | FAULT |
     * TIMED_OUT | IN_PROGRESS | STOPPED) in the phases that matter, with the context codes real builds logged
     * (RecordedPayloads.CONTEXT_*), and what a build that ended so becomes on attempt 2 of 3: "retry" (the platform's:
     * tried again, PLATFORM_FAILURE on the last attempt) or the job's failure code. The phases before the buildspec
     * (SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE) are CodeBuild's own; a timeout there is its queue's
     * (queuedTimeoutInMinutes), not the customer's build time; a FAULT is CodeBuild's internal error wherever it is;
     * YAML_FILE_ERROR is CodeBuild failing to read perfbox's buildspec (aws-samples/mlops-e2e issue #68:
     * DOWNLOAD_SOURCE "stat .../build.yml: no such file or directory"), perfbox's bug, never fixed by a retry.
     */
    @ParameterizedTest(name = "{0} with {1} {2} ({3}) -> {4}")
    @CsvSource({
            "TIMED_OUT, BUILD,            TIMED_OUT, '',                      BUILD_TIMEOUT",
            "TIMED_OUT, INSTALL,          TIMED_OUT, '',                      BUILD_TIMEOUT",
            "TIMED_OUT, QUEUED,           TIMED_OUT, '',                      retry",
            "TIMED_OUT, PROVISIONING,     TIMED_OUT, '',                      retry",
            "FAILED,    SUBMITTED,        FAILED,    CLIENT_ERROR,            retry",
            "FAILED,    PROVISIONING,     FAILED,    CLIENT_ERROR,            retry",
            "FAILED,    DOWNLOAD_SOURCE,  FAILED,    CLIENT_ERROR,            retry",
            "FAILED,    DOWNLOAD_SOURCE,  FAILED,    YAML_FILE_ERROR,         INTERNAL",
            "FAILED,    PRE_BUILD,        FAILED,    COMMAND_EXECUTION_ERROR, INTERNAL",
            "FAILED,    BUILD,            FAILED,    COMMAND_EXECUTION_ERROR, INTERNAL",
            "FAILED,    UPLOAD_ARTIFACTS, FAILED,    CLIENT_ERROR,            INTERNAL",
            "FAULT,     BUILD,            FAULT,     '',                      retry",
            "FAULT,     PROVISIONING,     FAULT,     '',                      retry",
            "FAILED,    BUILD,            FAULT,     '',                      retry",
            "STOPPED,   BUILD,            STOPPED,   '',                      INTERNAL",
            "STOPPED,   QUEUED,           STOPPED,   '',                      INTERNAL"})
    void eachCodeBuildStatusMapsToThePlatformOrToTheJobsFailureCode(String buildStatus, String phase,
                                                                    String phaseStatus, String context, String expected) {
        assertThat(RecordedPayloads.CODEBUILD_STATUSES).contains(buildStatus, phaseStatus);
        f.putIn(JobStatus.BUILDING);
        String build = StepInputs.codeBuild(buildStatus, phase, phaseStatus, context, "as CodeBuild logged it");
        Map<String, Object> out = buildFailed("States.TaskFailed", build, RETRY_2_OF_3);
        if (expected.equals("retry")) {
            assertThat(out).isEqualTo(Map.of("recorded", false, "retry", true, "waitSeconds", 60));
            assertThat(f.stored().status()).isEqualTo(JobStatus.BUILDING);
        } else {
            assertThat(out).isEqualTo(Map.of("recorded", true, "retry", false));
            f.assertFailed(FailureCode.valueOf(expected));
        }
    }

    @Test
    void aQueueTimeoutOnTheLastAttemptIsThePlatformsFailureNotTheCustomersBuildTimeout() {
        f.putIn(JobStatus.BUILDING);
        buildFailed("States.TaskFailed", StepInputs.codeBuild("TIMED_OUT", "QUEUED", "TIMED_OUT", "", ""), RETRY_3_OF_3);
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "QUEUED");
    }

    // ---- Lambda's errors, as Step Functions names them (RecordedPayloads.LAMBDA_UNKNOWN) ----

    @Test
    void lambdaFunctionErrorIsCaughtUnderItsErrorTypeAndIsPerfboxsOwnFailure() {
        // FunctionError "Unhandled" with the Java runtime's document: the Catch sees errorType as the error's name.
        String payload = "{\"errorMessage\":\"the jobs table is unreachable\",\"errorType\":\"java.lang.IllegalStateException\","
                + "\"stackTrace\":[\"io.perfbox.runtime.aws.workflow.BeginHandler.handleRequest(BeginHandler.java:40)\"]}";
        String error = StepInputs.lambdaInvokeError(payload).orElseThrow();
        assertThat(error).contains("\"Error\":\"java.lang.IllegalStateException\"");
        f.putIn(JobStatus.BUILDING);
        f.step(handler, "\"stage\":\"after-build\",\"error\":" + error);
        f.assertFailed(FailureCode.INTERNAL, "after-build", "IllegalStateException: the jobs table is unreachable");
    }

    @Test
    void lambdaErrorWithoutATypeIsLambdaUnknownAndIsPerfboxsOwnFailure() {
        // Out of memory or the function's own timeout: no errorType, so Step Functions reports Lambda.Unknown. The
        // message's text is not taken from any source.
        String error = StepInputs.lambdaInvokeError("{\"errorMessage\":\"the function ran out of time\"}").orElseThrow();
        assertThat(error).contains("\"Error\":\"" + RecordedPayloads.LAMBDA_UNKNOWN + "\"");
        f.putIn(JobStatus.SCANNING);
        f.step(handler, "\"stage\":\"prepare-run\",\"error\":" + error);
        f.assertFailed(FailureCode.INTERNAL, "prepare-run");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
            "Lambda.ClientExecutionTimeoutException", "Lambda.TooManyRequestsException"})
    void everyLambdaServiceErrorStepFunctionsNamesIsThePlatformsFailure(String name) {
        assertThat(RecordedPayloads.LAMBDA_SERVICE_ERRORS.contains(name) || RecordedPayloads.LAMBDA_THROTTLED.equals(name))
                .isTrue();
        f.putIn(JobStatus.SCANNING);
        f.step(handler, "\"stage\":\"prepare-run\",\"error\":" + StepInputs.error(name, "as the service answered"));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "Lambda service", "prepare-run");
    }
}
