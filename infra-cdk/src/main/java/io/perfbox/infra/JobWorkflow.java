package io.perfbox.infra;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.CustomState;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.Errors;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.IntegrationPattern;
import software.amazon.awscdk.services.stepfunctions.JitterType;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Result;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.Timeout;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.tasks.CodeBuildStartBuild;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
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
 */
public class JobWorkflow extends Construct {
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

        // 9. Fail: ends the job FAILED (by stage and error) if it is still active, then CleanUp.
        LambdaInvoke failStep = lambdaTask("Fail", functions.function(WorkflowFunctions.State.RECORD_FAILURE), Ordered.map(
                "jobId.$", "$.jobId", "stage.$", "$.stage", "error.$", "$.error"),
                JsonPath.DISCARD);

        // 8. CleanUp; idempotent, always last.
        LambdaInvoke cleanUp = lambdaTask("CleanUp", functions.function(WorkflowFunctions.State.CLEAN_UP),
                Ordered.map("jobId.$", "$.jobId"), JsonPath.DISCARD);
        // A clean-up that fails cannot clean itself up: it is retried, then the execution fails, and the
        // execution-ended rule has ExecutionEnded clean up again. Its catch never leads back to CleanUp.
        Fail cleanUpFailed = Fail.Builder.create(this, "CleanUpFailed")
                .error("PerfboxCleanUpFailed").cause("clean-up did not complete; execution-ended retries it").build();
        cleanUp.addRetry(RetryProps.builder()
                .errors(List.of(Errors.ALL))
                .interval(Duration.seconds(5)).maxAttempts(CLEAN_UP_RETRIES).backoffRate(2)
                .jitterStrategy(JitterType.FULL)
                .build());
        cleanUp.addCatch(cleanUpFailed, catchAll("$.cleanUpError"));
        failStep.addCatch(cleanUp, catchAll("$.failError"));
        Choice finished = Choice.Builder.create(this, "Finished").build()
                .when(Condition.isPresent("$.stage"), Fail.Builder.create(this, "StepFailed")
                        .error("PerfboxStepFailed").cause("a workflow step failed; the job was ended FAILED").build())
                .otherwise(Succeed.Builder.create(this, "Done").build());
        cleanUp.next(finished);
        failStep.next(cleanUp);

        // 1. Begin: QUEUED -> BUILDING, or not at all when the job was cancelled or deleted meanwhile.
        LambdaInvoke begin = lambdaTask("Begin", functions.function(WorkflowFunctions.State.BEGIN),
                Ordered.map("jobId.$", "$.jobId"), "$.begin");
        begin.addCatch(stage("begin", failStep), catchAll("$.error"));

        // 0. Admit: a slot among the jobs in flight (sized to the CodeBuild and Fargate quotas), or wait QUEUED and
        // ask again; released by CleanUp (every path that began), ExecutionEnded and the reconciler's sweep.
        LambdaInvoke admit = lambdaTask("Admit", functions.function(WorkflowFunctions.State.ADMIT),
                Ordered.map("jobId.$", "$.jobId", "cap", config.jobsInFlight(),
                        "waitSeconds", config.admissionWaitSeconds()), "$.admission");
        admit.addCatch(stage("admit", failStep), catchAll("$.error"));
        Wait admissionWait = Wait.Builder.create(this, "AdmissionWait")
                .time(WaitTime.secondsPath("$.admission.waitSeconds")).build();
        admissionWait.next(admit);
        // A job Begin does not start (cancelled or deleted while it waited) gives its slot back here.
        LambdaInvoke releaseSlot = lambdaTask("ReleaseAdmission", functions.function(WorkflowFunctions.State.ADMIT),
                Ordered.map("jobId.$", "$.jobId", "release", true), JsonPath.DISCARD);
        releaseSlot.addCatch(cleanUp, catchAll("$.releaseError"));

        // 2. BuildAndScan: CodeBuild runs buildspecs/build-and-scan.yml for this job; customer failures are outcomes.
        Map<String, BuildEnvironmentVariable> overrides = new LinkedHashMap<>();
        overrides.put("JOB_ID", plain(JsonPath.stringAt("$.jobId")));
        overrides.put("ARTIFACT_BUCKET", plain(artifacts.getBucketName()));
        overrides.put("IMAGE_REPOSITORY_URI", plain(images.getRepositoryUri()));
        overrides.put("SEVERITY_THRESHOLD", plain(config.severityThreshold()));
        overrides.put("IGNORE_UNFIXED", plain(Boolean.toString(config.ignoreUnfixed())));
        overrides.put("MISCONFIG_THRESHOLD", plain(config.misconfigThreshold()));
        overrides.put("BUILD_TIMEOUT_SECONDS", plain(Integer.toString(config.buildTimeoutSeconds())));
        overrides.put("MAX_IMAGE_BYTES", plain(Long.toString(config.maxImageBytes())));
        CodeBuildStartBuild buildAndScan = CodeBuildStartBuild.Builder.create(this, "BuildAndScan")
                .project(build.project())
                .integrationPattern(IntegrationPattern.RUN_JOB)
                .environmentVariablesOverride(overrides)
                // CodeBuild's own timeout fires first (its build ends TIMED_OUT: the Fail step records BUILD_TIMEOUT);
                // this one only if CodeBuild itself never answers.
                .taskTimeout(Timeout.duration(buildStateTimeout(config)))
                .resultSelector(Ordered.map("buildId.$", "$.Build.Id", "buildStatus.$", "$.Build.BuildStatus"))
                .resultPath("$.build")
                .build();
        buildAndScan.addRetry(RetryProps.builder()
                .errors(List.of("CodeBuild.AccountLimitExceededException"))
                .interval(Duration.seconds(30)).maxAttempts(5).backoffRate(2).jitterStrategy(JitterType.FULL)
                .build());
        // A build the platform failed goes round again (a new build, after a wait) while attempts are left; the
        // RecordFailedBuild step decides, and records every other failure as the Fail step does.
        LambdaInvoke recordFailedBuild = lambdaTask("RecordFailedBuild",
                functions.function(WorkflowFunctions.State.RECORD_FAILURE), Ordered.map(
                        "jobId.$", "$.jobId", "stage.$", "$.stage", "error.$", "$.error",
                        "retry", retryPolicy("$.attempts.build", config)),
                "$.failedBuild");
        recordFailedBuild.addCatch(cleanUp, catchAll("$.failError"));
        // The next attempt's state is rebuilt without the failed one's stage, error and answer: a build that then
        // succeeds must not end as a failed step.
        Pass nextBuildAttempt = Pass.Builder.create(this, "NextBuildAttempt")
                .parameters(Ordered.map("jobId.$", "$.jobId", "begin.$", "$.begin", "attempts", Ordered.map(
                        "build.$", "States.MathAdd($.attempts.build, 1)", "run.$", "$.attempts.run")))
                .resultPath("$")
                .build();
        buildAndScan.addCatch(Pass.Builder.create(this, "Stage-build").stateName("build failed")
                .result(Result.fromString("build")).resultPath("$.stage").build()
                .next(recordFailedBuild)
                .next(Choice.Builder.create(this, "RetryBuild").build()
                        .when(Condition.booleanEquals("$.failedBuild.retry", true),
                                Wait.Builder.create(this, "BuildBackoff")
                                        .time(WaitTime.secondsPath("$.failedBuild.waitSeconds")).build()
                                        .next(nextBuildAttempt))
                        .otherwise(cleanUp)), catchAll("$.error"));

        // 3. AfterBuild: outcome, log and report -> policy -> SCANNING then RUNNING, or FAILED.
        LambdaInvoke afterBuild = lambdaTask("AfterBuild", functions.function(WorkflowFunctions.State.AFTER_BUILD),
                Ordered.map("jobId.$", "$.jobId"), "$.afterBuild");
        // A build a registry throttled (its rate limit, not the customer's Dockerfile) is retried as the platform's.
        afterBuild.addCatch(Pass.Builder.create(this, "Stage-throttled-build").stateName("build throttled")
                .result(Result.fromString("build")).resultPath("$.stage").build()
                .next(recordFailedBuild), CatchProps.builder()
                .errors(List.of(REGISTRY_THROTTLED)).resultPath("$.error").build());
        afterBuild.addCatch(stage("after-build", failStep), catchAll("$.error"));

        // 4. PrepareRun: the job's task definition (no IAM call, nothing else per job).
        LambdaInvoke prepareRun = lambdaTask("PrepareRun", functions.function(WorkflowFunctions.State.PREPARE_RUN),
                Ordered.map("jobId.$", "$.jobId", "imageUri.$", "$.afterBuild.imageUri"), "$.prepare");
        prepareRun.addCatch(stage("prepare-run", failStep), catchAll("$.error"));

        // 7. RecordRun: SUCCEEDED with the performance, or FAILED with the run's failure code. One state per shape
        // of the outcome, since a JSONPath payload cannot leave out a field its input lacks: "task" when the task
        // ran, only "error" when the run failed or RunTask's timer fired. The result is the collector's record on its
        // own log stream, read by record-run itself.
        // Each names the run by the state machine's count ($.run.number, 1 for the first), so that a RecordRun that
        // Step Functions retries after it had recorded its run records nothing twice.
        LambdaInvoke recordRun = lambdaTask("RecordRun", functions.function(WorkflowFunctions.State.RECORD_RUN),
                Ordered.map("jobId.$", "$.jobId", "run.$", "$.run.number", "task.$", "$.task"), "$.recordRun");
        recordRun.addCatch(stage("record-run", failStep), catchAll("$.error"));
        LambdaInvoke recordFailedRun = lambdaTask("RecordFailedRun", functions.function(WorkflowFunctions.State.RECORD_RUN),
                Ordered.map("jobId.$", "$.jobId", "run.$", "$.run.number", "error.$", "$.error",
                        "retry", retryPolicy("$.attempts.run", config)),
                "$.failedRun");
        recordFailedRun.addCatch(stage("record-run", failStep), catchAll("$.error"));
        // A run the platform failed goes back to RunTask (a new task of the same task definition) while attempts are
        // left: RecordFailedRun has stopped the job's tasks, the next task starts with a /data of its own (nothing of
        // the failed attempt can be read as the next one's result), and the next RunTask overwrites $.task.
        Pass nextRunAttempt = Pass.Builder.create(this, "NextRunAttempt")
                .parameters(Ordered.map("build.$", "$.attempts.build", "run.$", "States.MathAdd($.attempts.run, 1)"))
                .resultPath("$.attempts")
                .build();
        recordFailedRun.next(Choice.Builder.create(this, "RetryRun").build()
                .when(Condition.booleanEquals("$.failedRun.retry", true), Wait.Builder.create(this, "RunBackoff")
                        .time(WaitTime.secondsPath("$.failedRun.waitSeconds")).build()
                        .next(nextRunAttempt))
                .otherwise(cleanUp));

        // 5. RunTask: Fargate in the isolated subnets. The run is bounded by the task's run clock (from the job
        // container's start); the state's timer allows the start on top and fires only when the task did not start
        // in time (recorded as perfbox's failure, not RUN_TIMEOUT). A task that ran is in $.task for RecordRun. A
        // run that failed or timed out is in $.error (with timedOut) and goes to RecordFailedRun.
        CustomState runTask = runTask(config, runner, network);
        runTask.addCatch(Pass.Builder.create(this, "RunTimedOut")
                        .result(Result.fromBoolean(true)).resultPath("$.error.timedOut").build().next(recordFailedRun),
                CatchProps.builder().errors(List.of(Errors.TIMEOUT)).resultPath("$.error").build());
        runTask.addCatch(Pass.Builder.create(this, "RunFailed")
                        .result(Result.fromBoolean(false)).resultPath("$.error.timedOut").build().next(recordFailedRun),
                CatchProps.builder().errors(List.of(Errors.ALL)).resultPath("$.error").build());


        nextBuildAttempt.next(buildAndScan);
        nextRunAttempt.next(runTask);

        // 6. Repeated runs: the image is built and scanned once and run as many times as the job asks (1 to
        // MAX_RUNS), each run a new task of the job's task definition, so a /data of its own (the task's volume, made
        // empty by its data-init). RecordRun answers proceed while runs are due; the next run starts at its first
        // platform attempt, from a state rebuilt without the last run's task, error and answers. A cancel aborts the
        // execution, which stops the task under way (the execution-ended clean-up) and starts no other; a RecordRun
        // that finds the job cancelled answers no proceed.
        Pass firstRun = Pass.Builder.create(this, "FirstRun")
                .result(Result.fromObject(Ordered.map("number", 1))).resultPath("$.run").build();
        Pass nextRun = Pass.Builder.create(this, "NextRun")
                .parameters(Ordered.map("jobId.$", "$.jobId", "begin.$", "$.begin", "prepare.$", "$.prepare",
                        "attempts", Ordered.map("build.$", "$.attempts.build", "run", 1),
                        "run", Ordered.map("number.$", "States.MathAdd($.run.number, 1)")))
                .resultPath("$")
                .build();
        nextRun.next(runTask);
        Choice moreRuns = Choice.Builder.create(this, "MoreRuns").build()
                .when(Condition.booleanEquals("$.recordRun.proceed", true), nextRun)
                .otherwise(cleanUp);

        // Every execution starts at the first attempt of its build and of its run.
        IChainable definition = Pass.Builder.create(this, "Attempts")
                .result(Result.fromObject(Ordered.map("build", 1, "run", 1))).resultPath("$.attempts").build()
                .next(admit).next(Choice.Builder.create(this, "Admitted").build()
                        .when(Condition.booleanEquals("$.admission.admitted", false), admissionWait)
                        .otherwise(begin));
        begin.next(Choice.Builder.create(this, "ShouldBuild").build()
                .when(Condition.booleanEquals("$.begin.proceed", true), buildAndScan
                        .next(afterBuild)
                        .next(Choice.Builder.create(this, "ShouldRun").build()
                                .when(Condition.booleanEquals("$.afterBuild.proceed", true), prepareRun
                                        .next(firstRun)
                                        .next(runTask)
                                        .next(recordRun)
                                        .next(moreRuns))
                                .otherwise(cleanUp)))
                .otherwise(releaseSlot.next(Succeed.Builder.create(this, "Superseded")
                        .comment("cancelled or deleted before it started").build())));

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
                .resourceName(stateMachineName(stack)).arnFormat(software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** The ARNs of its executions. */
    static String executionArns(Stack stack) {
        return stack.formatArn(ArnComponents.builder().service("states").resource("execution")
                .resourceName(stateMachineName(stack) + ":*").arnFormat(software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME)
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

    private LambdaInvoke lambdaTask(String id, IFunction function, Map<String, Object> payload, String resultPath) {
        LambdaInvoke task = LambdaInvoke.Builder.create(this, id)
                .lambdaFunction(function)
                .payload(TaskInput.fromObject(payload))
                // The handler's JSON is the result itself, without the invocation's metadata around it.
                .payloadResponseOnly(true)
                .retryOnServiceExceptions(false)
                .resultPath(resultPath)
                .build();
        task.addRetry(RetryProps.builder()
                .errors(LAMBDA_TRANSIENT_ERRORS)
                .interval(Duration.seconds(2)).maxAttempts(6).backoffRate(2).jitterStrategy(JitterType.FULL)
                .build());
        return task;
    }

    private final Map<String, IChainable> stages = new HashMap<>();

    /** The Pass state that tells the Fail step which stage failed (one per stage). */
    private IChainable stage(String stage, LambdaInvoke failStep) {
        return stages.computeIfAbsent(stage, name -> Pass.Builder.create(this, "Stage-" + name)
                .stateName(name + " failed")
                .result(Result.fromString(name))
                .resultPath("$.stage")
                .build()
                .next(failStep));
    }

    /** What a retried step's handler is told: which attempt failed, how many there may be, the first wait. */
    private static Map<String, Object> retryPolicy(String attemptPath, StackConfig config) {
        return Ordered.map("attempt.$", attemptPath, "maxAttempts", PLATFORM_ATTEMPTS,
                "backoffSeconds", config.platformRetrySeconds());
    }

    private static CatchProps catchAll(String resultPath) {
        return CatchProps.builder().errors(List.of(Errors.ALL)).resultPath(resultPath).build();
    }

    /**
     * ecs:runTask.sync with the task definition PrepareRun registered for this job, which CDK's EcsRunTask cannot
     * take (it wants the task definition at synth time), hence the state written out here.
     */
    private CustomState runTask(StackConfig config, IsolatedRunner runner, IsolatedNetwork network) {
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
        state.put("TimeoutSeconds", runStateTimeout(config).toSeconds().intValue());
        state.put("ResultPath", "$.task");
        CustomState runTask = CustomState.Builder.create(this, "RunTask").stateJson(state).build();
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

    private static BuildEnvironmentVariable plain(String value) {
        return BuildEnvironmentVariable.builder().value(value).build();
    }

    public StateMachine stateMachine() {
        return stateMachine;
    }

    public Rule executionEnded() {
        return executionEnded;
    }
}
