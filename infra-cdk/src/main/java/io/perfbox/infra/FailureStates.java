package io.perfbox.infra;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * How every path ends, and where each stage's failures go. States, in the order a job meets them: "STAGE failed"
 * (one per stage, naming it), Fail (ends the job FAILED by stage and error if it is still active), CleanUp
 * (idempotent, always last; retried, then CleanUpFailed), Finished (StepFailed after a failed step, else Done).
 * {@link #handle} catches each stage's failures into them and ends each stage's last choice at CleanUp.
 */
final class FailureStates {
    private final Construct scope;
    private final LambdaInvoke failStep;
    private final LambdaInvoke cleanUp;
    private final Map<String, IChainable> stages = new HashMap<>();

    FailureStates(WorkflowStates states) {
        scope = states.scope();
        // 9. Fail: ends the job FAILED (by stage and error) if it is still active, then CleanUp.
        failStep = states.lambdaTask("Fail", WorkflowFunctions.State.RECORD_FAILURE, Ordered.map(
                "jobId.$", "$.jobId", "stage.$", "$.stage", "error.$", "$.error"), JsonPath.DISCARD);

        // 8. CleanUp; idempotent, always last.
        cleanUp = states.lambdaTask("CleanUp", WorkflowFunctions.State.CLEAN_UP, Ordered.map("jobId.$", "$.jobId"),
                JsonPath.DISCARD);
        // A clean-up that fails cannot clean itself up: it is retried, then the execution fails, and the
        // execution-ended rule has ExecutionEnded clean up again. Its catch never leads back to CleanUp.
        Fail cleanUpFailed = Fail.Builder.create(scope, "CleanUpFailed")
                .error("PerfboxCleanUpFailed").cause("clean-up did not complete; execution-ended retries it").build();
        cleanUp.addRetry(RetryProps.builder()
                .errors(List.of(Errors.ALL))
                .interval(Duration.seconds(5)).maxAttempts(JobWorkflow.CLEAN_UP_RETRIES).backoffRate(2)
                .jitterStrategy(JitterType.FULL)
                .build());
        cleanUp.addCatch(cleanUpFailed, WorkflowStates.catchAll("$.cleanUpError"));
        failStep.addCatch(cleanUp, WorkflowStates.catchAll("$.failError"));
        Choice finished = Choice.Builder.create(scope, "Finished").build()
                .when(Condition.isPresent("$.stage"), Fail.Builder.create(scope, "StepFailed")
                        .error("PerfboxStepFailed").cause("a workflow step failed; the job was ended FAILED").build())
                .otherwise(Succeed.Builder.create(scope, "Done").build());
        cleanUp.next(finished);
        failStep.next(cleanUp);
    }

    /**
     * Each stage's failures, in the order a job meets the stages: a Lambda step's error goes to Fail naming its stage
     * (RecordFailedBuild's and ReleaseAdmission's, which record or need nothing more, straight to CleanUp), and
     * every stage's last choice otherwise ends at CleanUp.
     */
    void handle(AdmissionStates admission, BuildStates build, ScanStates scan, RunStates run, RecordStates record) {
        admission.begin().addCatch(stage("begin"), WorkflowStates.catchAll("$.error"));
        admission.admit().addCatch(stage("admit"), WorkflowStates.catchAll("$.error"));
        admission.releaseSlot().addCatch(cleanUp, WorkflowStates.catchAll("$.releaseError"));
        build.recordFailedBuild().addCatch(cleanUp, WorkflowStates.catchAll("$.failError"));
        build.retryBuild().otherwise(cleanUp);
        scan.afterBuild().addCatch(stage("after-build"), WorkflowStates.catchAll("$.error"));
        run.prepareRun().addCatch(stage("prepare-run"), WorkflowStates.catchAll("$.error"));
        record.recordRun().addCatch(stage("record-run"), WorkflowStates.catchAll("$.error"));
        record.recordFailedRun().addCatch(stage("record-run"), WorkflowStates.catchAll("$.error"));
        record.retryRun().otherwise(cleanUp);
        record.moreRuns().otherwise(cleanUp);
        run.shouldRun().otherwise(cleanUp);
    }

    /** The Pass state that tells the Fail step which stage failed (one per stage). */
    private IChainable stage(String stage) {
        return stages.computeIfAbsent(stage, name -> Pass.Builder.create(scope, "Stage-" + name)
                .stateName(name + " failed")
                .result(Result.fromString(name))
                .resultPath("$.stage")
                .build()
                .next(failStep));
    }
}
