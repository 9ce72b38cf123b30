package io.perfbox.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;

/**
 * What the job workflow's stages ({@link AdmissionStates}, {@link BuildStates}, {@link ScanStates},
 * {@link RunStates}, {@link RecordStates}, {@link FailureStates}) make their states with: the one construct every
 * state belongs to (the {@link JobWorkflow}, so a state's id is its name in the definition), the step functions, the
 * stack's settings, and the Lambda task every Lambda state is.
 */
final class WorkflowStates {
    private final Construct scope;
    private final WorkflowFunctions functions;
    private final StackConfig config;

    WorkflowStates(Construct scope, WorkflowFunctions functions, StackConfig config) {
        this.scope = scope;
        this.functions = functions;
        this.config = config;
    }

    /** The construct the states are made in. */
    Construct scope() {
        return scope;
    }

    StackConfig config() {
        return config;
    }

    /**
     * A Lambda state of {@code state}'s function: the handler's JSON is its result (at {@code resultPath}), and
     * Lambda's transient errors are retried with backoff.
     */
    LambdaInvoke lambdaTask(String id, WorkflowFunctions.State state, Map<String, Object> payload, String resultPath) {
        LambdaInvoke task = LambdaInvoke.Builder.create(scope, id)
                .lambdaFunction(functions.function(state))
                .payload(TaskInput.fromObject(payload))
                // The handler's JSON is the result itself, without the invocation's metadata around it.
                .payloadResponseOnly(true)
                .retryOnServiceExceptions(false)
                .resultPath(resultPath)
                .build();
        task.addRetry(RetryProps.builder()
                .errors(JobWorkflow.LAMBDA_TRANSIENT_ERRORS)
                .interval(Duration.seconds(2)).maxAttempts(6).backoffRate(2).jitterStrategy(JitterType.FULL)
                .build());
        return task;
    }

    /** What a retried step's handler is told: which attempt failed, how many there may be, the first wait. */
    Map<String, Object> retryPolicy(String attemptPath) {
        return Ordered.map("attempt.$", attemptPath, "maxAttempts", JobWorkflow.PLATFORM_ATTEMPTS,
                "backoffSeconds", config.platformRetrySeconds());
    }

    static CatchProps catchAll(String resultPath) {
        return CatchProps.builder().errors(List.of(Errors.ALL)).resultPath(resultPath).build();
    }
}
