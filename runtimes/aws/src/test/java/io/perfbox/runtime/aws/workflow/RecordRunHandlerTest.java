package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.aws.CollectorRecords;
import io.perfbox.testing.aws.StepInputs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordRunHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1\nepoch 2\n", false);
    private final RecordRunHandler handler = new RecordRunHandler(f.runs);

    /**
     * The task's collector recorded this outcome line (and DATA lines) on its stream, as collect.sh writes it; "" so
     * that a test reads {@code "\"task\":" + task + collected(...)}: the result is not in RecordRun's input.
     */
    private String result(String... lines) {
        f.aws.putCollectorLines(TASK_ARN, CollectorRecords.of(lines));
        return "";
    }

    private String content(String text) {
        f.aws.putCollectorLines(TASK_ARN, CollectorRecords.content(text.getBytes(StandardCharsets.UTF_8)));
        return "";
    }


    RecordRunHandlerTest() {
        f.putIn(JobStatus.RUNNING);
        f.aws.putRunLog(TASK_ARN, RUN_LOG);
    }

    @Test
    void taskOfAJobThatExitedZeroWithTheRunClockAsEcsLeavesItReachesRecordRunAndSucceeds() {
        // The regression of issue 18: runTask.sync hands RecordRun a task only when every container exited 0
        // (StepInputs.runTaskSync, with its evidence); the clock stopped with the task exits 0 (TaskHelpersImageIT).
        String task = StepInputs.task(f.id, StepInputs.containers(StepInputs.container(f.id, 0, null), 0),
                "EssentialContainerExited", "Essential container in task exited");
        assertThat(StepInputs.runTaskSync(task)).as("runTask.sync succeeds on this task").isEmpty();
        assertThat(StepInputs.runTaskSync(StepInputs.succeededTask(f.id))).as("the shared fixture obeys the rule").isEmpty();

        assertThat(f.step(handler, "\"task\":" + task + content("{\"perf\":0.99}"))).isEqualTo(Map.of("recorded", true, "proceed", false));
        assertThat(f.stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(f.stored().performance()).isEqualTo(0.99);
    }

    @Test
    void runThatExitedZeroWithAValidResultSucceedsAndKeepsTheRunLog() {
        Map<String, Object> out = f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + content("{\"perf\":0.99}"));

        assertThat(out).isEqualTo(Map.of("recorded", true, "proceed", false));
        assertThat(f.stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(f.stored().performance()).isEqualTo(0.99);
        assertThat(f.artifacts.log(f.id, LogKind.RUN)).contains(RUN_LOG);
        assertThat(f.aws.calls()).containsExactly("readRunLog " + TASK_ARN, "readCollectorLog " + TASK_ARN);
    }

    @Test
    void aRunsReceiptHasTheTasksLimitsAndTheFargatePlatformItRanOn() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + content("{\"perf\":0.99}"));

        RunReceipt receipt = f.stored().receipt();
        assertThat(receipt).isNotNull();
        // StepInputs.ENV's task: 1024 CPU units, 2048 MiB, a 900 s run timeout; the recorded task ran on 1.4.0.
        assertThat(receipt.limits()).isEqualTo(new RunReceipt.Limits(2048L << 20, 1.0, null,
                900L, null, null));
        assertThat(receipt.containerRuntime()).isEqualTo("fargate 1.4.0");
        assertThat(receipt.hostCpuModel()).as("Fargate does not say").isNull();
    }

    @Test
    void aRunsReceiptHasTheTaskSizeEcsReportsAndTheImageDigestItPulledForTheJobsContainer() throws Exception {
        var task = (ObjectNode) StepInputs.JSON.readTree(StepInputs.succeededTask(f.id));
        // A task ECS sized otherwise than the stack's settings (Fargate rounds a task up to a size it offers).
        task.put("Cpu", "2048").put("Memory", "4096");
        String digest = null;
        for (var c : task.at("/Containers")) {
            if (c.path("Name").asText().equals(StepInputs.JOB_CONTAINER)) {
                digest = c.path("ImageDigest").asText();
            }
        }

        f.step(handler, "\"task\":" + StepInputs.JSON.writeValueAsString(task) + content("{\"perf\":0.99}"));

        RunReceipt receipt = f.stored().receipt();
        assertThat(receipt.limits()).isEqualTo(new RunReceipt.Limits(4096L << 20, 2.0, null,
                900L, null, null));
        assertThat(receipt.imageDigest()).isEqualTo(digest).startsWith("sha256:");
    }

    @Test
    void aTimedOutRunsReceiptHasItsLimitsToo() {
        f.step(handler, "\"error\":" + StepInputs.runClockExpiredError(f.id, 900_412));

        assertThat(f.stored().receipt().limits().timeoutSeconds()).isEqualTo(900L);
    }

    @Test
    void runThatExitedZeroWithoutPerfJsonEndsNoResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + result("MISSING"));
        f.assertFailed(FailureCode.NO_RESULT, "/data/perf.json");
    }

    @Test
    void linkAtPerfJsonEndsInvalidResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + result("NOT_REGULAR_FILE symbolic link"));
        f.assertFailed(FailureCode.INVALID_RESULT, "symbolic link", "not followed");
    }

    @Test
    void oversizedPerfJsonEndsInvalidResult() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + content("x".repeat(65537)));
        f.assertFailed(FailureCode.INVALID_RESULT, "larger than 65536 bytes");
    }

    @Test
    void malformedPerfJsonEndsInvalidResultWithTheParsersReason() {
        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + content("{\"perf\":\"fast\"}"));
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
        // The clock's own exit (124) fails runTask.sync even though the job exited 0 (StepInputs.runTaskSync).
        f.step(handler, "\"error\":" + StepInputs.runClockExpiredError(f.id, 0, 900_412));

        f.assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes");
        assertThat(f.stored().performance()).isNull();
    }

    @Test
    void runTasksTimerFiringOnTheLastAttemptIsThePlatformsFailureNotTheCustomersRunTimeout() {
        f.aws.tasks(List.of(TASK_ARN), List.of());

        f.step(handler, "\"error\":" + StepInputs.timeoutError().replace("}", ",\"timedOut\":true}"));

        f.assertFailed(FailureCode.PLATFORM_FAILURE, "did not start in time", "1800 s to start", "run timeout of 900 s");
        assertThat(f.aws.calls()).containsExactly("stopTasks " + f.id);
    }

    @Test
    void ourImageThatCouldNotBePulledIsThePlatformsFailure() {
        f.step(handler, "\"error\":" + StepInputs.cannotPullError(f.id));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "could not start", "CannotPullContainerError");
    }

    @Test
    void taskEcsRefusedForCapacityOnTheOnlyAttemptEndsPlatformFailure() {
        f.step(handler, "\"error\":" + StepInputs.error("ECS.AmazonECSException",
                "No Container Instances were found in your capacity provider (Service: AmazonECS; Status Code: 400)"));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "1 attempt", "ECS could not run the task", "capacity provider");
    }

    @Test
    void runTaskRefusedForAnotherReasonEndsInternal() {
        f.step(handler, "\"error\":" + StepInputs.error("ECS.InvalidParameterException",
                "Task definition does not support launch_type FARGATE."));
        f.assertFailed(FailureCode.INTERNAL, "could not be started", "ECS.InvalidParameterException");
    }

    // ---- the platform's failures of the run: retried, then PLATFORM_FAILURE ----

    private static String retry(int attempt) {
        return ",\"retry\":{\"attempt\":" + attempt + ",\"maxAttempts\":3,\"backoffSeconds\":20}";
    }

    private static String failedToStart(JobId id, String reason) {
        return StepInputs.taskFailedError(StepInputs.task(id, StepInputs.container(id, null, null), "TaskFailedToStart",
                reason));
    }

    @Test
    void taskThePlatformCouldNotStartIsRetriedAfterStoppingTheJobsTasksAndRecordsNothing() {
        Map<String, Object> out = f.step(handler, "\"error\":" + failedToStart(f.id,
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
                        + "failed: unable to retrieve ecr registry auth") + retry(1));

        assertThat(out).isEqualTo(Map.of("recorded", false, "retry", true, "waitSeconds", 20));
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(f.aws.calls()).containsExactly("stopTasks " + f.id);
    }

    @Test
    void hostLostOnTheLastAttemptEndsPlatformFailureNamingTheReasonAndTheAttempts() {
        String spot = StepInputs.taskFailedError(StepInputs.task(f.id, StepInputs.container(f.id, 143, null),
                "SpotInterruption", "Your Spot Task was interrupted."));

        Map<String, Object> out = f.step(handler, "\"error\":" + spot + retry(3));

        assertThat(out).isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "host was lost", "SpotInterruption",
                "not the Dockerfile's fault");
        assertThat(f.aws.calls()).contains("stopTasks " + f.id);
    }

    @Test
    void capacityErrorsAfterRunTasksOwnRetryAreRetriedAsANewTask() {
        Map<String, Object> out = f.step(handler, "\"error\":" + StepInputs.error("AmazonECS.Unknown",
                "RunTask failures: [{\"arn\":null,\"reason\":\"Capacity is unavailable at this time\"}]") + retry(2));
        assertThat(out).isEqualTo(Map.of("recorded", false, "retry", true, "waitSeconds", 40));
    }

    @Test
    void theCustomersFailuresAreNeverRetried() {
        assertThat(f.step(handler, "\"error\":" + StepInputs.exitedError(f.id, 1) + retry(1)))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.RUN_FAILED, "exited with code 1");
        f.putIn(JobStatus.RUNNING);
        f.step(handler, "\"error\":" + StepInputs.outOfMemoryError(f.id) + retry(1));
        f.assertFailed(FailureCode.OUT_OF_MEMORY);
        f.putIn(JobStatus.RUNNING);
        String entrypoint = "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI "
                + "runtime create failed: exec: \"/run.sh\": stat /run.sh: no such file or directory";
        f.step(handler, "\"error\":" + StepInputs.taskFailedError(StepInputs.task(f.id,
                StepInputs.container(f.id, null, entrypoint), "TaskFailedToStart", entrypoint)) + retry(1));
        f.assertFailed(FailureCode.RUN_FAILED, "could not start", "CannotStartContainerError");
    }

    @Test
    void runTheRunClockStoppedIsNeverRetried() {
        f.aws.putRunLog(TASK_ARN, RUN_LOG);
        assertThat(f.step(handler, "\"error\":" + StepInputs.runClockExpiredError(f.id, 900_000) + retry(1)))
                .isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.RUN_TIMEOUT);
    }

    @Test
    void runTasksTimerFiringWithAttemptsLeftStopsTheTaskAndIsRetried() {
        f.aws.tasks(List.of(TASK_ARN), List.of());
        Map<String, Object> answer = f.step(handler, "\"error\":" + StepInputs.timeoutError() + retry(1));
        assertThat(answer).containsEntry("retry", true);
        assertThat(f.aws.calls()).contains("stopTasks " + f.id);
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void successWhoseCollectorRecordNeverCompletesIsAnErrorAndTheJobStaysRunning() {
        List<String> whole = CollectorRecords.content("{\"perf\":0.5}".getBytes(StandardCharsets.UTF_8));
        f.aws.putCollectorLines(TASK_ARN, whole.subList(0, 2));

        assertThatThrownBy(() -> f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("collector's record")
                .hasMessageContaining("not complete");
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(f.aws.calls()).filteredOn(c -> c.startsWith("readCollectorLog")).hasSizeGreaterThan(1);
    }

    @Test
    void collectorRecordThatCloudWatchDeliversLateIsWaitedFor() {
        List<String> whole = CollectorRecords.content("{\"perf\":0.5}".getBytes(StandardCharsets.UTF_8));
        f.aws.putCollectorLines(TASK_ARN, List.of(), whole.subList(0, 1), whole);

        assertThat(f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id))).isEqualTo(Map.of("recorded", true, "proceed", false));
        assertThat(f.stored().performance()).isEqualTo(0.5);
        assertThat(f.aws.calls()).filteredOn(c -> c.startsWith("readCollectorLog")).hasSize(3);
    }

    @Test
    void resultInRecordRunsInputIsIgnoredOnlyTheCollectorsRecordCounts() {
        // A state input is the execution's: the result is never taken from it, only from the collector's stream.
        content("{\"perf\":0.25}");
        String forged = ",\"result\":{\"result\":\"CONTENT\",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString("{\"perf\":1.0}".getBytes(StandardCharsets.UTF_8)) + "\"}";

        f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + forged);
        assertThat(f.stored().performance()).isEqualTo(0.25);
    }

    @Test
    void cancelledJobIsNotOverwritten() {
        Job cancelled = f.putIn(JobStatus.CANCELLED);
        assertThat(f.step(handler, "\"task\":" + StepInputs.succeededTask(f.id) + content("0.5")))
                .isEqualTo(Map.of("recorded", false, "proceed", false));
        assertThat(f.stored()).isEqualTo(cancelled);
    }
}
