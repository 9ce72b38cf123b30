package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * The scan's verdict, after the build: AfterBuild reads what the build step left (its outcome, log and Trivy's
 * report), records the build and then the scan against the policy, and answers whether the image may run
 * ({@link RunStates}' ShouldRun). States, in the order a job meets them: AfterBuild; "build throttled" back to
 * {@link BuildStates}' RecordFailedBuild when a registry throttled the build's pull.
 */
final class ScanStates {
    private final LambdaInvoke afterBuild;

    ScanStates(WorkflowStates states, BuildStates build) {
        var scope = states.scope();
        // 3. AfterBuild: outcome, log and report -> policy -> SCANNING then RUNNING, or FAILED.
        afterBuild = states.lambdaTask("AfterBuild", WorkflowFunctions.State.AFTER_BUILD,
                Ordered.map("jobId.$", "$.jobId"), "$.afterBuild");
        build.buildAndScan().next(afterBuild);
        // A build a registry throttled (its rate limit, not the customer's Dockerfile) is retried as the platform's.
        Pass throttled = Pass.Builder.create(scope, "Stage-throttled-build").stateName("build throttled")
                .result(Result.fromString("build")).resultPath("$.stage").build();
        throttled.next(build.recordFailedBuild());
        afterBuild.addCatch(throttled, CatchProps.builder()
                .errors(List.of(JobWorkflow.REGISTRY_THROTTLED)).resultPath("$.error").build());
    }

    LambdaInvoke afterBuild() {
        return afterBuild;
    }
}
