package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.testing.aws.CollectorRecords;
import io.perfbox.testing.aws.StepInputs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RecordRun and RecordFailedRun for a job of several runs: each run is a task of its own (its own ARN, its own
 * collector's record), named by the state machine's count of runs ({@code run}); RecordRun answers proceed while
 * runs are due, and the job ends with the median of the runs once the last is recorded.
 */
class RecordRunsHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture(3);
    private final RecordRunHandler handler = new RecordRunHandler(f.runs);
    /** The fixture's task ran from StartedAt to StoppingAt: what the run clock measured. */
    private static final Duration TASK_RAN = Duration.ofMillis(1772366470118L - StepInputs.STARTED_AT);

    RecordRunsHandlerTest() {
        f.putIn(JobStatus.RUNNING);
    }

    /** Run {@code run}'s task: the fixture's with an id of its own (ECS gives each task its own). */
    private static String taskArn(int run) {
        return StepInputs.TASK_ARN.replace(StepInputs.TASK_ID, taskId(run));
    }

    private static String taskId(int run) {
        return String.format("%031x%x", 0xa5L, run);
    }

    /** The stopped task of run {@code run} whose job exited 0, its collector having recorded {@code perfJson}. */
    private String ran(int run, String perfJson) {
        f.aws.putRunLog(taskArn(run), new CapturedLog("run " + run + " output\n", false));
        f.aws.putCollectorLines(taskArn(run), CollectorRecords.content(perfJson.getBytes(StandardCharsets.UTF_8)));
        return StepInputs.succeededTask(f.id).replace(StepInputs.TASK_ID, taskId(run));
    }

    private Map<String, Object> recordRun(int run, String task) {
        return f.step(handler, "\"run\":" + run + ",\"task\":" + task);
    }

    private static final Map<String, Object> PROCEED = Map.of("recorded", false, "proceed", true);
    private static final Map<String, Object> ENDED = Map.of("recorded", true, "proceed", false);

    @Test
    void eachRunIsRecordedInTurnAndTheJobEndsWithTheMedianMinMaxAndSpreadOfTheRuns() {
        assertThat(recordRun(1, ran(1, "{\"perf\":0.9}"))).isEqualTo(PROCEED);
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(recordRun(2, ran(2, "{\"perf\":0.5}"))).isEqualTo(PROCEED);
        assertThat(recordRun(3, ran(3, "{\"perf\":0.7}"))).isEqualTo(ENDED);

        assertThat(f.stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        Runs runs = f.stored().runs();
        assertThat(runs.values()).containsExactly(0.9, 0.5, 0.7);
        assertThat(f.stored().performance()).isEqualTo(0.7);
        assertThat(runs.min()).contains(0.5);
        assertThat(runs.max()).contains(0.9);
        assertThat(runs.spread().orElseThrow()).isCloseTo((0.9 - 0.5) / 0.7, Offset.offset(1e-12));
        // Each run's own task, its own collector's record, and how long that task ran.
        assertThat(runs.completed()).extracting(Runs.Run::duration).containsOnly(TASK_RAN);
        for (int run = 1; run <= 3; run++) {
            assertThat(f.aws.calls()).contains("readCollectorLog " + taskArn(run));
        }
    }

    @Test
    void theRunLogIsOneLogOfEveryRunInOrderEachAfterALineNamingIt() {
        recordRun(1, ran(1, "{\"perf\":1}"));
        recordRun(2, ran(2, "{\"perf\":2}"));
        recordRun(3, ran(3, "{\"perf\":3}"));

        assertThat(f.artifacts.log(f.id, JobArtifactStore.LogKind.RUN)).contains(new CapturedLog(
                "[perfbox] run 1 of 3\nrun 1 output\n[perfbox] run 2 of 3\nrun 2 output\n[perfbox] run 3 of 3\nrun 3 output\n",
                false));
        // Each run's output read from its own task's stream, a third of the step's 1 MiB each.
        assertThat(f.aws.calls()).contains("readRunLog " + taskArn(1), "readRunLog " + taskArn(3));
        assertThat(RepeatedRunLog.bytesPerRun(f.stored().runs(), RunRecorder.RUN_LOG_MAX_BYTES))
                .isEqualTo(RunRecorder.RUN_LOG_MAX_BYTES / 3);
    }

    @Test
    void aRunRecordedAgainAfterItsLogWasStoredButNotItsRunKeepsItsOutputOnce() {
        recordRun(1, ran(1, "{\"perf\":1}"));
        // An earlier try of run 2's RecordRun stored the log, then failed before the job's write.
        f.artifacts.saveLog(f.id, JobArtifactStore.LogKind.RUN, new CapturedLog(
                "[perfbox] run 1 of 3\nrun 1 output\n[perfbox] run 2 of 3\nrun 2 output\n", false));

        recordRun(2, ran(2, "{\"perf\":2}"));

        assertThat(f.artifacts.log(f.id, JobArtifactStore.LogKind.RUN)).contains(new CapturedLog(
                "[perfbox] run 1 of 3\nrun 1 output\n[perfbox] run 2 of 3\nrun 2 output\n", false));
    }

    @Test
    void aFailingRunsLogFollowsTheRunsBefore() {
        recordRun(1, ran(1, "{\"perf\":1}"));
        f.aws.putRunLog(StepInputs.TASK_ARN, new CapturedLog("Traceback: boom\n", false));

        f.step(handler, "\"run\":2,\"error\":" + StepInputs.exitedError(f.id, 1)
                + ",\"retry\":{\"attempt\":1,\"maxAttempts\":3,\"backoffSeconds\":20}");

        assertThat(f.artifacts.log(f.id, JobArtifactStore.LogKind.RUN)).contains(new CapturedLog(
                "[perfbox] run 1 of 3\nrun 1 output\n[perfbox] run 2 of 3\nTraceback: boom\n", false));
    }

    @Test
    void aRecordRunThatStepFunctionsRetriesAfterItRecordedItsRunRecordsNothingTwice() {
        String first = ran(1, "{\"perf\":0.9}");
        assertThat(recordRun(1, first)).isEqualTo(PROCEED);
        // Lambda answered, the answer was lost, and the state's Retry invokes RecordRun again on the same input.
        assertThat(recordRun(1, first)).isEqualTo(PROCEED);

        assertThat(f.stored().runs().values()).containsExactly(0.9);
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(recordRun(2, ran(2, "{\"perf\":0.4}"))).isEqualTo(PROCEED);
        assertThat(f.stored().runs().values()).containsExactly(0.9, 0.4);
    }

    @Test
    void theLastRunRetriedAfterItEndedTheJobChangesNothing() {
        recordRun(1, ran(1, "{\"perf\":1}"));
        recordRun(2, ran(2, "{\"perf\":2}"));
        String last = ran(3, "{\"perf\":3}");
        assertThat(recordRun(3, last)).isEqualTo(ENDED);
        var ended = f.stored();

        assertThat(recordRun(3, last)).isEqualTo(Map.of("recorded", false, "proceed", false));
        assertThat(f.stored()).isEqualTo(ended);
    }

    @Test
    void aSecondRunThatExitedNonZeroEndsTheJobNamingTheRun() {
        recordRun(1, ran(1, "{\"perf\":0.9}"));
        f.aws.putRunLog(StepInputs.TASK_ARN, new CapturedLog("oops\n", false));

        Map<String, Object> out = f.step(handler, "\"run\":2,\"error\":" + StepInputs.exitedError(f.id, 3)
                + ",\"retry\":{\"attempt\":1,\"maxAttempts\":3,\"backoffSeconds\":20}");

        assertThat(out).isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.RUN_FAILED, "run 2 of 3: ", "3");
        assertThat(f.stored().failure().message()).startsWith("run 2 of 3: ");
        assertThat(f.stored().runs().values()).containsExactly(0.9);
    }

    @Test
    void aSecondRunThePlatformFailsOnEveryAttemptEndsPlatformFailureNamingTheRun() {
        recordRun(1, ran(1, "{\"perf\":0.9}"));
        String failedToStart = StepInputs.taskFailedError(StepInputs.task(f.id, StepInputs.container(f.id, null, null),
                "TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth"));

        Map<String, Object> out = f.step(handler, "\"run\":2,\"error\":" + failedToStart
                + ",\"retry\":{\"attempt\":3,\"maxAttempts\":3,\"backoffSeconds\":20}");

        assertThat(out).isEqualTo(Map.of("recorded", true, "retry", false));
        f.assertFailed(FailureCode.PLATFORM_FAILURE, "3 attempts", "ResourceInitializationError");
        assertThat(f.stored().failure().message()).startsWith("run 2 of 3: The platform failed the job");
    }

    @Test
    void aSecondRunThePlatformFailedWithAnAttemptLeftIsRetriedAndRecordsNothing() {
        recordRun(1, ran(1, "{\"perf\":0.9}"));
        String failedToStart = StepInputs.taskFailedError(StepInputs.task(f.id, StepInputs.container(f.id, null, null),
                "TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth"));

        Map<String, Object> out = f.step(handler, "\"run\":2,\"error\":" + failedToStart
                + ",\"retry\":{\"attempt\":1,\"maxAttempts\":3,\"backoffSeconds\":20}");

        assertThat(out).isEqualTo(Map.of("recorded", false, "retry", true, "waitSeconds", 20));
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(f.stored().runs().values()).containsExactly(0.9);
    }

    @Test
    void aRunReportedAheadOfTheRunDueIsRefusedAndRecordsNothing() {
        assertThatThrownBy(() -> recordRun(2, ran(2, "{\"perf\":0.9}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run 1 of 3 is due");
        assertThat(f.stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(f.stored().runs().completed()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1.5", "\"two\"", "true"})
    void aRunThatIsNotAWholeNumberFromOneIsRefused(String run) {
        String task = ran(1, "{\"perf\":0.9}");
        assertThatThrownBy(() -> f.step(handler, "\"run\":" + run + ",\"task\":" + task))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"run\"");
        assertThat(f.stored().runs().completed()).isEmpty();
    }

    @Test
    void aJobCancelledBetweenRunsGetsNoFurtherRun() {
        assertThat(recordRun(1, ran(1, "{\"perf\":0.9}"))).isEqualTo(PROCEED);
        var cancelled = f.putIn(JobStatus.CANCELLED);

        assertThat(recordRun(2, ran(2, "{\"perf\":0.4}"))).isEqualTo(Map.of("recorded", false, "proceed", false));
        assertThat(f.stored()).isEqualTo(cancelled);
    }

    @Test
    void aJobOfOneRunEndsAtItsFirstRunWithoutProceeding() {
        WorkflowFixture one = new WorkflowFixture(1);
        one.putIn(JobStatus.RUNNING);
        one.aws.putRunLog(StepInputs.TASK_ARN, new CapturedLog("", false));
        one.aws.putCollectorLines(StepInputs.TASK_ARN, CollectorRecords.content("{\"perf\":2}".getBytes(StandardCharsets.UTF_8)));

        assertThat(one.step(new RecordRunHandler(one.runs), "\"run\":1,\"task\":" + StepInputs.succeededTask(one.id)))
                .isEqualTo(ENDED);
        assertThat(one.stored().performance()).isEqualTo(2.0);
        assertThat(one.stored().runs().completed()).extracting(Runs.Run::duration).containsExactly(TASK_RAN);
    }
}
