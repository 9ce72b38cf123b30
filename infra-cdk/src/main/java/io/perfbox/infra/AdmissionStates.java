package io.perfbox.infra;

import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * Where every execution starts: its attempts counted from 1, a slot among the jobs in flight, and Begin. States, in
 * the order a job meets them: Attempts, Admit, Admitted (AdmissionWait and Admit again while there is no slot),
 * Begin; and ReleaseAdmission then Superseded for a job Begin does not start ({@link BuildStates}' ShouldBuild
 * decides). Their failures are {@link FailureStates}'.
 */
final class AdmissionStates {
    private final Pass attempts;
    private final LambdaInvoke admit;
    private final LambdaInvoke begin;
    private final LambdaInvoke releaseSlot;

    AdmissionStates(WorkflowStates states) {
        var scope = states.scope();
        StackConfig config = states.config();
        // Every execution starts at the first attempt of its build and of its run.
        attempts = Pass.Builder.create(scope, "Attempts")
                .result(Result.fromObject(Ordered.map("build", 1, "run", 1))).resultPath("$.attempts").build();

        // 0. Admit: a slot among the jobs in flight (sized to the CodeBuild and Fargate quotas), or wait QUEUED and
        // ask again; released by CleanUp (every path that began), ExecutionEnded and the reconciler's sweep.
        admit = states.lambdaTask("Admit", WorkflowFunctions.State.ADMIT,
                Ordered.map("jobId.$", "$.jobId", "cap", config.jobsInFlight(),
                        "waitSeconds", config.admissionWaitSeconds()), "$.admission");
        Wait admissionWait = Wait.Builder.create(scope, "AdmissionWait")
                .time(WaitTime.secondsPath("$.admission.waitSeconds")).build();
        admissionWait.next(admit);

        // 1. Begin: QUEUED -> BUILDING, or not at all when the job was cancelled or deleted meanwhile.
        begin = states.lambdaTask("Begin", WorkflowFunctions.State.BEGIN, Ordered.map("jobId.$", "$.jobId"), "$.begin");
        attempts.next(admit).next(Choice.Builder.create(scope, "Admitted").build()
                .when(Condition.booleanEquals("$.admission.admitted", false), admissionWait)
                .otherwise(begin));

        // A job Begin does not start (cancelled or deleted while it waited) gives its slot back here.
        releaseSlot = states.lambdaTask("ReleaseAdmission", WorkflowFunctions.State.ADMIT,
                Ordered.map("jobId.$", "$.jobId", "release", true), JsonPath.DISCARD);
        releaseSlot.next(Succeed.Builder.create(scope, "Superseded")
                .comment("cancelled or deleted before it started").build());
    }

    /** The state machine's first state. */
    IChainable start() {
        return attempts;
    }

    LambdaInvoke admit() {
        return admit;
    }

    LambdaInvoke begin() {
        return begin;
    }

    LambdaInvoke releaseSlot() {
        return releaseSlot;
    }
}
