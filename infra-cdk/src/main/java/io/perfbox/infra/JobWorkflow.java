package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * One job's journey (the design's steps 1-9): a STANDARD state machine whose execution name is the job id and whose
 * input is {@code {"jobId": "<uuid>"}}, plus the EventBridge rule that hands executions ending ABORTED, TIMED_OUT or
 * FAILED to the ExecutionEnded function, which cleans up and ends a still-active job. Each Lambda state has a function of its own ({@link WorkflowFunctions}).
 *
 * <p>Every Lambda task retries Lambda's transient errors with backoff and catches everything else into the Fail step
 * (with the stage it failed in), which ends the job and goes on to CleanUp. CleanUp is the
 * last step on every path; it is retried on any error and then fails the execution, never loops back to itself.
 * A build or run the platform failed goes round again ({@link #PLATFORM_ATTEMPTS} attempts, counted in
 * {@code $.attempts}, a doubling wait between them) before its recording state ends the job PLATFORM_FAILURE.
 *
 * <p>The states are made one stage at a time, in the order a job meets them: {@link AdmissionStates} (attempts, a
 * slot, Begin), {@link BuildStates} (CodeBuild's build and scan), {@link ScanStates} (AfterBuild's verdict),
 * {@link RunStates} (the task definition and a task per run), {@link RecordStates} (each run's outcome), and
 * {@link FailureStates} (where each stage's failures go, and the end every path shares). This class makes the state
 * machine of them, its limits, and what hears of an execution that ended badly.
 */
public final class JobWorkflow extends Construct {
    /**
     * The error AfterBuild raises for a build a registry throttled: RegistryThrottledException's class name, Lambda's
     * errorType for it (WorkflowTest holds the two to one name).
     */
    static final String REGISTRY_THROTTLED = "io.perfbox.runtime.aws.workflow.RegistryThrottledException";
    /** The Lambda errors worth retrying: the service's, the SDK client's and throttling. */
    static final List<String> LAMBDA_TRANSIENT_ERRORS = List.of("Lambda.ServiceException",
            "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.ClientExecutionTimeoutException",
            "Lambda.TooManyRequestsException");
    /**
     * Margin of the BuildAndScan state beyond CodeBuild's own limits (its queue, then its build): provisioning and
     * the .sync integration's polling. CodeBuild's timeout must be the one that fires, so that a build that ran too
     * long ends TIMED_OUT by CodeBuild (the job's BUILD_TIMEOUT), never by the state's own timer counting queue time.
     */
    static final Duration BUILD_STATE_MARGIN = Duration.minutes(10);
    /**
     * Margin of the RunTask state beyond the start allowance and the run: ECS stopping the job's container once the
     * run clock exited (SIGTERM, 30 s to SIGKILL) and the .sync integration noticing. The run clock, counting from the
     * job container's start, must be the one that fires; this timer only when the task did not start in time.
     */
    static final Duration RUN_STATE_MARGIN = Duration.minutes(2);
    /**
     * Attempts of a build and of a run that the platform failed (no capacity, a host lost, a task or build it could
     * not start, a task that did not start in time) before the job ends PLATFORM_FAILURE; the handlers decide what is
     * the platform's, and say so.
     */
    static final int PLATFORM_ATTEMPTS = 3;
    /** Attempts of CleanUp after any error, before the execution fails. */
    static final int CLEAN_UP_RETRIES = 3;
    /** EventBridge's attempts at delivering an ended execution to each clean-up function. */
    static final int EXECUTION_ENDED_RETRIES = 8;

    private final StateMachine stateMachine;
    private final Rule executionEnded;
    private final Queue failedCleanUps;
    private final Alarm failedCleanUpsAlarm;

    public JobWorkflow(Construct scope, String id, StackConfig config, WorkflowFunctions functions,
                       BuildAndScan build, IRepository images, IBucket artifacts, IsolatedRunner runner,
                       IsolatedNetwork network, RetentionDays logRetention) {
        super(scope, id);

        // The states, stage by stage in the order a job meets them; each stage's failures and ends last.
        WorkflowStates states = new WorkflowStates(this, functions, config);
        AdmissionStates admission = new AdmissionStates(states);
        BuildStates builds = new BuildStates(states, build.project(), images, artifacts, admission);
        ScanStates scan = new ScanStates(states, builds);
        RunStates run = new RunStates(states, runner, network, scan);
        RecordStates record = new RecordStates(states, run);
        new FailureStates(states).handle(admission, builds, scan, run, record);
        IChainable definition = admission.start();

        LogGroup logs = LogGroup.Builder.create(this, "ExecutionLogs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        stateMachine = StateMachine.Builder.create(this, "StateMachine")
                .stateMachineName(stateMachineName(Stack.of(this)))
                .stateMachineType(StateMachineType.STANDARD)
                .comment("perfbox job: build and scan, run isolated, record the performance")
                .definitionBody(DefinitionBody.fromChainable(definition))
                .timeout(executionTimeout(config))
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        grantRunTask(stateMachine, runner);

        executionEnded = Rule.Builder.create(this, "ExecutionEnded")
                .description("perfbox: a job execution ended ABORTED, TIMED_OUT or FAILED; clean up, end the job")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.states"))
                        .detailType(List.of("Step Functions Execution Status Change"))
                        .detail(Ordered.map(
                                "status", List.of("ABORTED", "TIMED_OUT", "FAILED"),
                                "stateMachineArn", List.of(stateMachine.getStateMachineArn())))
                        .build())
                .build();
        // The clean-up of the design's step 8, as the state machine would have run it: the AWS resources, and
        // ending a job left active.
        // A clean-up that fails every try is not dropped: EventBridge's undeliverable events and the functions'
        // failed asynchronous invocations land in this queue, and an alarm says so.
        failedCleanUps = Queue.Builder.create(this, "FailedCleanUps")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        executionEnded.addTarget(new LambdaFunction(functions.function(WorkflowFunctions.State.EXECUTION_ENDED),
                LambdaFunctionProps.builder()
                .event(RuleTargetInput.fromObject(Ordered.map(
                        "jobId", EventField.fromPath("$.detail.name"),
                        "status", EventField.fromPath("$.detail.status"))))
                .retryAttempts(EXECUTION_ENDED_RETRIES)
                .maxEventAge(Duration.hours(6))
                .deadLetterQueue(failedCleanUps)
                .build()));
        functions.function(WorkflowFunctions.State.EXECUTION_ENDED).configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(2)
                .maxEventAge(Duration.hours(6))
                .onFailure(new SqsDestination(failedCleanUps))
                .build());
        failedCleanUpsAlarm = Alarm.Builder.create(this, "FailedCleanUpsAlarm")
                .alarmDescription("perfbox: a job's clean-up failed every try (its event is in the FailedCleanUps queue): "
                        + "resources of that job may be left behind, or the job left active")
                .metric(failedCleanUps.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .period(Duration.minutes(5)).statistic("Maximum").build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    public Queue failedCleanUps() {
        return failedCleanUps;
    }

    public Alarm failedCleanUpsAlarm() {
        return failedCleanUpsAlarm;
    }

    /**
     * The state machine's name, fixed by the stack's: the functions that read its executions (the clean-up's build
     * lookup, the reconciler) are named in its definition, so their grants and environment cannot refer to it
     * without a dependency cycle; a known name gives its ARN and its executions' ARNs without one.
     */
    static String stateMachineName(Stack stack) {
        String name = stack.getStackName() + "-JobWorkflow";
        if (!name.matches("[A-Za-z0-9_-]{1,80}")) {
            throw new IllegalArgumentException("the stack name " + stack.getStackName() + " makes no state machine name "
                    + "(letters, digits, - and _, at most 68 characters)");
        }
        return name;
    }

    /** The ARN of the state machine {@link #stateMachineName} names. */
    static String stateMachineArn(Stack stack) {
        return stack.formatArn(ArnComponents.builder().service("states").resource("stateMachine")
                .resourceName(stateMachineName(stack)).arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** The ARNs of its executions. */
    static String executionArns(Stack stack) {
        return stack.formatArn(ArnComponents.builder().service("states").resource("execution")
                .resourceName(stateMachineName(stack) + ":*").arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** The BuildAndScan state's limit: CodeBuild's queue and build limits, then a margin, so CodeBuild's fire first. */
    static Duration buildStateTimeout(StackConfig config) {
        return Duration.seconds(BuildAndScan.QUEUED_TIMEOUT.toSeconds().intValue()
                + BuildAndScan.projectTimeout(config).toSeconds().intValue() + BUILD_STATE_MARGIN.toSeconds().intValue());
    }

    /** The RunTask state's limit: the start allowance, the run the run clock allows, then a margin. */
    static Duration runStateTimeout(StackConfig config) {
        return Duration.seconds(config.runStartTimeoutSeconds() + config.runTimeoutSeconds()
                + RUN_STATE_MARGIN.toSeconds().intValue());
    }

    /**
     * The whole execution's limit: every stage's own limit (the run's once per run, up to {@link #MAX_RUNS}), as many
     * times as a platform failure may have it tried, the waits between those attempts, and room for the Lambda steps.
     */
    static Duration executionTimeout(StackConfig config) {
        long stages = (long) PLATFORM_ATTEMPTS * (buildStateTimeout(config).toSeconds().intValue()
                + (long) MAX_RUNS * runStateTimeout(config).toSeconds().intValue());
        return Duration.seconds(stages + (1L + MAX_RUNS) * platformWaitsSeconds(config) + 3600
                + admissionAllowanceSeconds(config));
    }

    /** The execution's limit in whole days (rounded up): the longest a job may be under way. */
    static int executionDays(StackConfig config) {
        long seconds = executionTimeout(config).toSeconds().longValue();
        return (int) ((seconds + 86_399) / 86_400);
    }

    /**
     * The most runs a job may ask for (core's Runs.MAX, which WorkflowTest holds this to; infra-cdk does not depend on
     * core): the execution's limit allows every one of them its platform attempts.
     */
    static final int MAX_RUNS = 10;

    /**
     * Rounds of Admit and AdmissionWait a job may wait for a slot: 9 history events each, so 18,000 of the
     * execution's 25,000 (Step Functions' quota of events per execution history), the rest left to the job.
     */
    static final int ADMISSION_ROUNDS = 2000;

    /** How long a job may wait QUEUED for a slot within the execution's limit. */
    static long admissionAllowanceSeconds(StackConfig config) {
        return (long) ADMISSION_ROUNDS * config.admissionWaitSeconds();
    }

    /** The waits between one stage's attempts: the backoff, doubling after each attempt. */
    static long platformWaitsSeconds(StackConfig config) {
        long waits = 0;
        for (int attempt = 1; attempt < PLATFORM_ATTEMPTS; attempt++) {
            waits += (long) config.platformRetrySeconds() << (attempt - 1);
        }
        return waits;
    }

    /** What runTask.sync needs, and no more: this cluster, the job task families, the execution role. */
    private static void grantRunTask(StateMachine stateMachine, IsolatedRunner runner) {
        Stack stack = Stack.of(stateMachine);
        String clusterArn = runner.cluster().getClusterArn();
        stateMachine.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:RunTask"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("ecs").resource("task-definition")
                        .resourceName(WorkflowFunctions.TASK_FAMILY_PREFIX + "*:*").build())))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
        stateMachine.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:StopTask", "ecs:DescribeTasks"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("ecs").resource("task")
                        .resourceName(runner.cluster().getClusterName() + "/*").build())))
                .conditions(Ordered.map("ArnEquals", Ordered.map("ecs:cluster", clusterArn)))
                .build());
        // RunTask passes the task definition's one role: the execution role (a job's task has no task role).
        stateMachine.addToRolePolicy(WorkflowFunctions.passRoles(runner));
        // The managed rule through which Step Functions learns that the task stopped (.sync).
        stateMachine.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("events:PutTargets", "events:PutRule", "events:DescribeRule"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("events").resource("rule")
                        .resourceName("StepFunctionsGetEventsForECSTaskRule").build())))
                .build());
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    public Rule executionEnded() {
        return executionEnded;
    }
}
