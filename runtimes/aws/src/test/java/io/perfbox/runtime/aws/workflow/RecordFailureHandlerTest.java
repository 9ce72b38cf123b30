package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.logging.JobLogContext;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.logging.CapturedLogLines;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
                .isEqualTo(Map.of("recorded", true));
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
        f.assertFailed(FailureCode.INTERNAL, "did not start in time");
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
                .isEqualTo(Map.of("recorded", false));
        assertThat(f.stored()).isEqualTo(ended);
    }
}
