package io.perfbox.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.CustomState;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * The runs: the job's task definition, then one Fargate task per run in the isolated subnets. States, in the order a
 * job meets them: ShouldRun (after AfterBuild), PrepareRun, FirstRun, RunTask; when the run failed or RunTask's timer
 * fired, RunTimedOut or RunFailed (on to {@link RecordStates}' RecordFailedRun); NextRunAttempt back to RunTask for
 * another attempt, NextRun for the next run.
 */
final class RunStates {
    private final Choice shouldRun;
    private final LambdaInvoke prepareRun;
    private final CustomState runTask;
    private final Pass runTimedOut;
    private final Pass runFailed;
    private final Pass nextRunAttempt;
    private final Pass nextRun;

    RunStates(WorkflowStates states, IsolatedRunner runner, IsolatedNetwork network, ScanStates scan) {
        var scope = states.scope();
        StackConfig config = states.config();
        // 4. PrepareRun: the job's task definition (no IAM call, nothing else per job).
        prepareRun = states.lambdaTask("PrepareRun", WorkflowFunctions.State.PREPARE_RUN,
                Ordered.map("jobId.$", "$.jobId", "imageUri.$", "$.afterBuild.imageUri"), "$.prepare");
        Pass firstRun = Pass.Builder.create(scope, "FirstRun")
                .result(Result.fromObject(Ordered.map("number", 1))).resultPath("$.run").build();

        // 5. RunTask: Fargate in the isolated subnets. The run is bounded by the task's run clock (from the job
        // container's start); the state's timer allows the start on top and fires only when the task did not start
        // in time (recorded as perfbox's failure, not RUN_TIMEOUT). A task that ran is in $.task for RecordRun. A
        // run that failed or timed out is in $.error (with timedOut) and goes to RecordFailedRun.
        runTask = runTask(states, config, runner, network);
        runTimedOut = Pass.Builder.create(scope, "RunTimedOut")
                .result(Result.fromBoolean(true)).resultPath("$.error.timedOut").build();
        runTask.addCatch(runTimedOut, CatchProps.builder().errors(List.of(Errors.TIMEOUT)).resultPath("$.error").build());
        runFailed = Pass.Builder.create(scope, "RunFailed")
                .result(Result.fromBoolean(false)).resultPath("$.error.timedOut").build();
        runTask.addCatch(runFailed, CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());

        // A run the platform failed goes back to RunTask (a new task of the same task definition) while attempts are
        // left: RecordFailedRun has stopped the job's tasks, the next task starts with a /data of its own (nothing of
        // the failed attempt can be read as the next one's result), and the next RunTask overwrites $.task.
        nextRunAttempt = Pass.Builder.create(scope, "NextRunAttempt")
                .parameters(Ordered.map("build.$", "$.attempts.build", "run.$", "States.MathAdd($.attempts.run, 1)"))
                .resultPath("$.attempts")
                .build();
        nextRunAttempt.next(runTask);

        // 6. Repeated runs: the image is built and scanned once and run as many times as the job asks (1 to
        // MAX_RUNS), each run a new task of the job's task definition, so a /data of its own (the task's volume, made
        // empty by its data-init). RecordRun answers proceed while runs are due; the next run starts at its first
        // platform attempt, from a state rebuilt without the last run's task, error and answers. A cancel aborts the
        // execution, which stops the task under way (the execution-ended clean-up) and starts no other; a RecordRun
        // that finds the job cancelled answers no proceed.
        nextRun = Pass.Builder.create(scope, "NextRun")
                .parameters(Ordered.map("jobId.$", "$.jobId", "begin.$", "$.begin", "prepare.$", "$.prepare",
                        "attempts", Ordered.map("build.$", "$.attempts.build", "run", 1),
                        "run", Ordered.map("number.$", "States.MathAdd($.run.number, 1)")))
                .resultPath("$")
                .build();
        nextRun.next(runTask);

        prepareRun.next(firstRun).next(runTask);
        shouldRun = Choice.Builder.create(scope, "ShouldRun").build()
                .when(Condition.booleanEquals("$.afterBuild.proceed", true), prepareRun);
        scan.afterBuild().next(shouldRun);
    }

    /** Whether AfterBuild let the image run (its otherwise: the end, {@link FailureStates}). */
    Choice shouldRun() {
        return shouldRun;
    }

    LambdaInvoke prepareRun() {
        return prepareRun;
    }

    CustomState runTask() {
        return runTask;
    }

    /** RunTask's timer fired: $.error.timedOut is true. */
    Pass runTimedOut() {
        return runTimedOut;
    }

    /** The run failed: $.error.timedOut is false. */
    Pass runFailed() {
        return runFailed;
    }

    /** The run's next attempt, after the platform failed one. */
    Pass nextRunAttempt() {
        return nextRunAttempt;
    }

    /** The job's next run. */
    Pass nextRun() {
        return nextRun;
    }

    /**
     * ecs:runTask.sync with the task definition PrepareRun registered for this job, which CDK's EcsRunTask cannot
     * take (it wants the task definition at synth time), hence the state written out here.
     */
    private static CustomState runTask(WorkflowStates states, StackConfig config, IsolatedRunner runner,
                                       IsolatedNetwork network) {
        List<String> subnets = network.vpc().selectSubnets(IsolatedNetwork.isolatedSubnets()).getSubnetIds();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("LaunchType", "FARGATE");
        parameters.put("Cluster", runner.cluster().getClusterArn());
        parameters.put("TaskDefinition.$", "$.prepare.taskDefinitionArn");
        parameters.put("StartedBy.$", "$.jobId");
        parameters.put("NetworkConfiguration", Ordered.map("AwsvpcConfiguration", Ordered.map(
                "Subnets", subnets,
                "SecurityGroups", List.of(runner.taskSecurityGroup().getSecurityGroupId()),
                "AssignPublicIp", "DISABLED")));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Type", "Task");
        state.put("Resource", "arn:" + Aws.PARTITION + ":states:::ecs:runTask.sync");
        state.put("Parameters", parameters);
        state.put("TimeoutSeconds", JobWorkflow.runStateTimeout(config).toSeconds().intValue());
        state.put("ResultPath", "$.task");
        CustomState runTask = CustomState.Builder.create(states.scope(), "RunTask").stateJson(state).build();
        // Capacity and throttling answers of RunTask are worth another try; a task that ran and failed is not.
        // No capacity, no ENI, throttled: the ECS integration reports these as AmazonECS.Unknown (so the Step
        // Functions ECS documentation) or ECS.AmazonECSException. Platform trouble, retried with backoff for several
        // minutes before the run is recorded as failed.
        runTask.addRetry(RetryProps.builder()
                .errors(List.of("ECS.AmazonECSException", "AmazonECS.Unknown"))
                .interval(Duration.seconds(10)).maxAttempts(6).backoffRate(2).jitterStrategy(JitterType.FULL)
                .build());
        return runTask;
    }
}
