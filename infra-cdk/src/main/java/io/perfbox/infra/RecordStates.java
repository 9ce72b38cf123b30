package io.perfbox.infra;

import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * What each run came to. States, in the order a job meets them: RecordRun after a task that ran, then MoreRuns
 * ({@link RunStates}' NextRun while runs are due); RecordFailedRun after a run that failed, then RetryRun (RunBackoff
 * and NextRunAttempt while the platform's attempts last). Where they end is {@link FailureStates}'.
 */
final class RecordStates {
    private final LambdaInvoke recordRun;
    private final LambdaInvoke recordFailedRun;
    private final Choice retryRun;
    private final Choice moreRuns;

    RecordStates(WorkflowStates states, RunStates run) {
        var scope = states.scope();
        // 7. RecordRun: SUCCEEDED with the performance, or FAILED with the run's failure code. One state per shape
        // of the outcome, since a JSONPath payload cannot leave out a field its input lacks: "task" when the task
        // ran, only "error" when the run failed or RunTask's timer fired. The result is the collector's record on its
        // own log stream, read by record-run itself.
        // Each names the run by the state machine's count ($.run.number, 1 for the first), so that a RecordRun that
        // Step Functions retries after it had recorded its run records nothing twice.
        recordRun = states.lambdaTask("RecordRun", WorkflowFunctions.State.RECORD_RUN,
                Ordered.map("jobId.$", "$.jobId", "run.$", "$.run.number", "task.$", "$.task"), "$.recordRun");
        recordFailedRun = states.lambdaTask("RecordFailedRun", WorkflowFunctions.State.RECORD_RUN,
                Ordered.map("jobId.$", "$.jobId", "run.$", "$.run.number", "error.$", "$.error",
                        "retry", states.retryPolicy("$.attempts.run")),
                "$.failedRun");
        run.runTimedOut().next(recordFailedRun);
        run.runFailed().next(recordFailedRun);
        retryRun = Choice.Builder.create(scope, "RetryRun").build()
                .when(Condition.booleanEquals("$.failedRun.retry", true), Wait.Builder.create(scope, "RunBackoff")
                        .time(WaitTime.secondsPath("$.failedRun.waitSeconds")).build()
                        .next(run.nextRunAttempt()));
        recordFailedRun.next(retryRun);

        run.runTask().next(recordRun);
        moreRuns = Choice.Builder.create(scope, "MoreRuns").build()
                .when(Condition.booleanEquals("$.recordRun.proceed", true), run.nextRun());
        recordRun.next(moreRuns);
    }

    LambdaInvoke recordRun() {
        return recordRun;
    }

    LambdaInvoke recordFailedRun() {
        return recordFailedRun;
    }

    /** Whether RecordFailedRun asked for another attempt (its otherwise: the end). */
    Choice retryRun() {
        return retryRun;
    }

    /** Whether RecordRun has another run due (its otherwise: the end). */
    Choice moreRuns() {
        return moreRuns;
    }
}
