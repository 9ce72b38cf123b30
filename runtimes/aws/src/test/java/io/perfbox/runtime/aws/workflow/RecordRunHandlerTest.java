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

class RecordRunHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1\nepoch 2\n", false);
    private final RecordRunHandler handler = new RecordRunHandler(f.runs);

    private static String result(String kind, String extra) {
        return "\"result\":{\"result\":\"" + kind + "\"" + extra + "}";
    }

    private static String content(String text) {
        return result("CONTENT", ",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"");
    }


    RecordRunHandlerTest() {
        f.putIn(JobStatus.RUNNING);
        f.aws.putRunLog(TASK_ARN, RUN_LOG);
    }

    @Test
    void runThatExitedZeroWithAValidResultSucceedsAndKeepsTheRunLog() {
        Map<String, Object> out = f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + "," + content("{\"perf\":0.99}"));

        assertThat(out).isEqualTo(Map.of("recorded", true));
        assertThat(f.stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(f.stored().performance()).isEqualTo(0.99);
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
        assertThat(f.aws.calls()).containsExactly("readRunLog " + TASK_ARN);
    }

    @Test
    void runThatExitedZeroWithoutPerfJsonEndsNoResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + "," + result("MISSING", ""));
        f.assertFailed(FailureCode.NO_RESULT, "/data/perf.json");
    }

    @Test
    void linkAtPerfJsonEndsInvalidResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + ","
                + result("NOT_REGULAR_FILE", ",\"kind\":\"symbolic link\""));
        f.assertFailed(FailureCode.INVALID_RESULT, "symbolic link", "not followed");
    }

    @Test
    void oversizedPerfJsonEndsInvalidResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + "," + result("TOO_LARGE", ",\"limit\":65536"));
        f.assertFailed(FailureCode.INVALID_RESULT, "larger than 65536 bytes");
    }

    @Test
    void malformedPerfJsonEndsInvalidResultWithTheParsersReason() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + "," + content("{\"perf\":\"fast\"}"));
        f.assertFailed(FailureCode.INVALID_RESULT, "\"perf\" must be a number");
    }

    @Test
    void containerThatExitedOneEndsRunFailedWithItsLogAndNeedsNoResult() {
        f.step(handler, "\"error\":" + StepInputs.exitedError(f.id, 1));

        f.assertFailed(FailureCode.RUN_FAILED, "exited with code 1");
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void containerKilledForMemoryEndsOutOfMemoryNamingTheTaskMemory() {
        f.step(handler, "\"error\":" + StepInputs.outOfMemoryError(f.id));
        f.assertFailed(FailureCode.OUT_OF_MEMORY, "2048 MiB");
    }

    @Test
    void taskTheRunClockStoppedEndsRunTimeoutWithTheRunTimeMeasuredFromItsStartAndTheLog() {
        f.step(handler, "\"error\":" + StepInputs.runClockExpiredError(f.id, 900_412));

        f.assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes", "stopped");
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
        assertThat(f.aws.calls()).containsExactly("readRunLog " + TASK_ARN);
    }

    @Test
    void jobThatExitedZeroWhenTheRunClockStoppedItIsStillARunTimeoutAndItsResultIsNotTaken() {
        f.step(handler, "\"task\":" + StepInputs.runClockExpiredTask(f.id, 0, 900_412) + ","
                + content("{\"perf\":0.99}"));

        f.assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes");
        assertThat(f.stored().performance()).isNull();
    }

    @Test
    void runTasksTimerFiringMeansTheTaskDidNotStartInTimeWhichIsNotTheCustomersRunTimeout() {
        f.aws.tasks(List.of(TASK_ARN), List.of());

        f.step(handler, "\"error\":" + StepInputs.timeoutError().replace("}", ",\"timedOut\":true}"));

        f.assertFailed(FailureCode.INTERNAL, "did not start in time", "1800 s to start", "run timeout of 900 s");
        assertThat(f.aws.calls()).containsExactly("stopTasks " + f.id);
    }

    @Test
    void containerThatCouldNotBePulledEndsRunFailedWithTheReason() {
        f.step(handler, "\"error\":" + StepInputs.cannotPullError(f.id));
        f.assertFailed(FailureCode.RUN_FAILED, "could not start", "CannotPullContainerError");
    }

    @Test
    void taskEcsRefusedToStartEndsInternal() {
        f.step(handler, "\"error\":" + StepInputs.error("ECS.AmazonECSException",
                "No Container Instances were found in your capacity provider (Service: AmazonECS; Status Code: 400)"));
        f.assertFailed(FailureCode.INTERNAL, "could not be started", "ECS.AmazonECSException");
    }

    @Test
    void successWithoutTheResultIsAnErrorAndTheJobStaysRunning() {
        assertThatThrownBy(() -> f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-result");
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void cancelledJobIsNotOverwritten() {
        Job cancelled = f.putIn(JobStatus.CANCELLED);
        assertThat(f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + "," + content("0.5")))
                .isEqualTo(Map.of("recorded", false));
        assertThat(f.stored()).isEqualTo(cancelled);
    }
}
