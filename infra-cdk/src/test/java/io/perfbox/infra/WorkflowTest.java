package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.ecs.EcsRunOutcome;
import io.perfbox.core.domain.Runs;
import io.perfbox.runtime.aws.workflow.RecordFailureHandler;
import io.perfbox.runtime.aws.workflow.RegistryThrottledException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The job state machine (the design's steps 1-9), its logging and tracing, and the execution-ended rule. */
class WorkflowTest {
    private final Template template = SynthesizedStack.TEMPLATE;
    private final JsonNode definition = TemplateQueries.stateMachineDefinition();
    private final JsonNode states = definition.get("States");

    private static final List<String> LAMBDA_TASKS = List.of("Begin", "AfterBuild", "PrepareRun", "RecordRun",
            "RecordFailedRun", "CleanUp", "Fail", "RecordFailedBuild");

    private JsonNode state(String name) {
        assertThat(states.has(name)).as("state " + name).isTrue();
        return states.get(name);
    }

    private Map<String, Object> parameters(String name) {
        return TemplateQueries.map(state(name).get("Parameters"));
    }

    @Test
    void isAStandardStateMachineLoggingEverythingWithTracing() {
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD",
                "TracingConfiguration", Map.of("Enabled", true),
                "LoggingConfiguration", Map.of("Level", "ALL", "IncludeExecutionData", true,
                        "Destinations", List.of(Match.objectLike(Map.of("CloudWatchLogsLogGroup", Match.anyValue()))))));
        assertThat(definition.get("StartAt").asText()).isEqualTo("Attempts");
        // Three attempts of the build state's limit and, for each of a job's 10 runs at most, of the run state's (start
        // allowance, run, margin), the waits between them, and an hour.
        assertThat(definition.get("TimeoutSeconds").asInt())
                .isEqualTo(3 * ((3600 + (15 + 30) * 60 + 10 * 60) + 10 * (1800 + 600 + 120)) + (1 + 10) * (30 + 60) + 3600
                        // and the wait for a slot among the jobs in flight (AdmissionWorkflowTest)
                        + JobWorkflow.ADMISSION_ROUNDS * 30);
    }

    @Test
    void stepsFollowTheDesignInOrder() {
        assertThat(TemplateQueries.map(state("Attempts"))).isEqualTo(Map.of("Type", "Pass",
                "Result", Map.of("build", 1, "run", 1), "ResultPath", "$.attempts", "Next", "Admit"));
        assertThat(state("Begin").get("Next").asText()).isEqualTo("ShouldBuild");
        assertThat(state("ShouldBuild").at("/Choices/0/Variable").asText()).isEqualTo("$.begin.proceed");
        assertThat(state("ShouldBuild").at("/Choices/0/Next").asText()).isEqualTo("BuildAndScan");
        assertThat(state("ShouldBuild").get("Default").asText()).isEqualTo("ReleaseAdmission");
        assertThat(state("Superseded").get("Type").asText()).isEqualTo("Succeed");
        assertThat(state("BuildAndScan").get("Next").asText()).isEqualTo("AfterBuild");
        assertThat(state("AfterBuild").get("Next").asText()).isEqualTo("ShouldRun");
        assertThat(state("ShouldRun").at("/Choices/0/Variable").asText()).isEqualTo("$.afterBuild.proceed");
        assertThat(state("ShouldRun").at("/Choices/0/Next").asText()).isEqualTo("PrepareRun");
        assertThat(state("ShouldRun").get("Default").asText()).isEqualTo("CleanUp");
        assertThat(state("PrepareRun").get("Next").asText()).isEqualTo("FirstRun");
        assertThat(state("FirstRun").get("Next").asText()).isEqualTo("RunTask");
        assertThat(state("RunTask").get("Next").asText()).isEqualTo("RecordRun");
        // No state reads /data: the task's collector did, and RecordRun reads its record.
        assertThat(states.has("ReadResult")).isFalse();
        assertThat(states.has("TaskRan")).as("no choice between the outcomes: each path has its own state").isFalse();
        assertThat(state("RecordRun").get("Next").asText()).isEqualTo("MoreRuns");
        assertThat(state("MoreRuns").get("Default").asText()).isEqualTo("CleanUp");
        assertThat(state("RecordFailedRun").get("Next").asText()).isEqualTo("RetryRun");
        assertThat(state("CleanUp").get("Next").asText()).isEqualTo("Finished");
        assertThat(states.has("DiscardWorkspace")).as("nothing of a job outlives its task but what CleanUp removes")
                .isFalse();
        assertThat(state("Fail").get("Next").asText()).isEqualTo("CleanUp");
    }

    @Test
    void lambdaStepsSendTheirStatesInput() {
        assertThat(parameters("Begin")).isEqualTo(Map.of("jobId.$", "$.jobId"));
        assertThat(parameters("AfterBuild")).isEqualTo(Map.of("jobId.$", "$.jobId"));
        assertThat(parameters("PrepareRun")).isEqualTo(Map.of("jobId.$", "$.jobId", "imageUri.$", "$.afterBuild.imageUri"));
        // No result in the input: RecordRun reads the collector's record from the task's own log stream.
        // The run's number is the state machine's count, so that a retried RecordRun records nothing twice.
        assertThat(parameters("RecordRun")).isEqualTo(Map.of("jobId.$", "$.jobId", "run.$", "$.run.number",
                "task.$", "$.task"));
        // The error path has no result: RecordRun decides by the run's failure (and stops a task that overran).
        assertThat(parameters("RecordFailedRun")).isEqualTo(Map.of("jobId.$", "$.jobId", "run.$", "$.run.number",
                "error.$", "$.error",
                "retry", Map.of("attempt.$", "$.attempts.run", "maxAttempts", 3, "backoffSeconds", 30)));
        assertThat(parameters("RecordFailedBuild")).isEqualTo(Map.of("jobId.$", "$.jobId", "stage.$", "$.stage",
                "error.$", "$.error",
                "retry", Map.of("attempt.$", "$.attempts.build", "maxAttempts", 3, "backoffSeconds", 30)));
        assertThat(parameters("CleanUp")).isEqualTo(Map.of("jobId.$", "$.jobId"));
        assertThat(parameters("Fail")).isEqualTo(Map.of("jobId.$", "$.jobId", "stage.$", "$.stage", "error.$", "$.error"));
    }

    @Test
    void eachLambdaStateInvokesTheFunctionOfItsOwnHandler() {
        Map<String, String> functionOfState = new HashMap<>(Map.of("Begin", "Begin", "AfterBuild", "AfterBuild",
                "PrepareRun", "PrepareRun", "RecordRun", "RecordRun", "RecordFailedRun", "RecordRun",
                "CleanUp", "CleanUp", "Fail", "RecordFailure", "RecordFailedBuild", "RecordFailure"));
        Map<String, String> resources = TemplateQueries.taskStateResources();
        functionOfState.forEach((stateName, function) -> assertThat(resources.get(stateName)).as(stateName)
                .matches("WorkflowFunctions" + function + "[0-9A-F]{8}"));
    }

    @Test
    void everyLambdaStepRetriesLambdasTransientErrorsWithBackoff() {
        for (String name : LAMBDA_TASKS) {
            JsonNode retry = state(name).get("Retry");
            assertThat(retry).as(name).hasSize(name.equals("CleanUp") ? 2 : 1);
            List<String> errors = new ArrayList<>();
            retry.get(0).get("ErrorEquals").forEach(e -> errors.add(e.asText()));
            // Step Functions' documented list of Lambda service exceptions to retry (JobWorkflow cites it).
            assertThat(errors).as(name).containsExactlyInAnyOrder("Lambda.ServiceException",
                    "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.ClientExecutionTimeoutException",
                    "Lambda.TooManyRequestsException");
            assertThat(retry.get(0).get("BackoffRate").asDouble()).as(name).isGreaterThan(1);
            assertThat(retry.get(0).get("MaxAttempts").asInt()).as(name).isGreaterThan(1);
        }
    }

    @Test
    void everyStepCatchesAllErrorsIntoTheFailStepWithItsStage() {
        Map<String, String> stageOf = Map.of("Begin", "begin", "BuildAndScan", "build", "AfterBuild", "after-build",
                "PrepareRun", "prepare-run", "RecordRun", "record-run", "RecordFailedRun", "record-run");
        stageOf.forEach((name, stage) -> {
            // States.ALL must be the last catcher (Step Functions' rule); AfterBuild's first is the throttled build's.
            JsonNode catches = state(name).get("Catch");
            JsonNode catcher = catches.get(catches.size() - 1);
            assertThat(catcher.get("ErrorEquals").get(0).asText()).as(name).isEqualTo("States.ALL");
            assertThat(catcher.get("ResultPath").asText()).as(name).isEqualTo("$.error");
            JsonNode pass = state(catcher.get("Next").asText());
            assertThat(pass.get("Type").asText()).isEqualTo("Pass");
            assertThat(pass.get("Result").asText()).as(name).isEqualTo(stage);
            assertThat(pass.get("ResultPath").asText()).isEqualTo("$.stage");
            // The build's failures are recorded by a state of their own, which may send the build round again.
            assertThat(pass.get("Next").asText()).as(name).isEqualTo(name.equals("BuildAndScan") ? "RecordFailedBuild" : "Fail");
        });
    }

    /** The states a state can go to next: Next, Default, every choice's and every catch's Next. */
    private List<String> successors(String name) {
        JsonNode state = state(name);
        List<String> next = new ArrayList<>();
        if (state.has("Next")) {
            next.add(state.get("Next").asText());
        }
        if (state.has("Default")) {
            next.add(state.get("Default").asText());
        }
        state.path("Choices").forEach(c -> next.add(c.get("Next").asText()));
        state.path("Catch").forEach(c -> next.add(c.get("Next").asText()));
        return next;
    }

    /** Every state reachable from the given ones (them included). */
    private Set<String> reachableFrom(List<String> starts) {
        return reachableFrom(starts, Set.of());
    }

    /** Every state reachable from the given ones (them included) without entering any of {@code avoiding}. */
    private Set<String> reachableFrom(List<String> starts, Set<String> avoiding) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> open = new ArrayDeque<>(starts);
        while (!open.isEmpty()) {
            String name = open.pop();
            if (!avoiding.contains(name) && seen.add(name)) {
                open.addAll(successors(name));
            }
        }
        return seen;
    }

    private List<String> catchTargets(String name) {
        List<String> targets = new ArrayList<>();
        state(name).get("Catch").forEach(c -> targets.add(c.get("Next").asText()));
        return targets;
    }

    @Test
    void cleanUpIsRetriedOnAnyErrorThenFailsTheExecutionWithoutComingBackToCleanUp() {
        for (String name : List.of("CleanUp")) {
            JsonNode anyError = state(name).get("Retry").get(1);
            assertThat(TemplateQueries.map(anyError)).as(name).isEqualTo(Map.of("ErrorEquals", List.of("States.ALL"),
                    "IntervalSeconds", 5, "MaxAttempts", 3, "BackoffRate", 2, "JitterStrategy", "FULL"));
            assertThat(catchTargets(name)).as(name).containsExactly("CleanUpFailed");
            assertThat(reachableFrom(catchTargets(name))).as("where " + name + "'s catch leads")
                    .containsExactly("CleanUpFailed");
            assertThat(state("CleanUpFailed").get("Type").asText()).isEqualTo("Fail");
        }
        // No path out of CleanUp, whether it succeeds or fails, comes back to it.
        assertThat(reachableFrom(successors("CleanUp"))).doesNotContain("CleanUp")
                .contains("CleanUpFailed", "Done", "StepFailed");
    }

    @Test
    void aRunThatFailedOrTimedOutIsRecordedByRecordFailedRunAndATaskThatRanByRecordRun() {
        List<String> errorPaths = catchTargets("RunTask");
        assertThat(errorPaths).containsExactly("RunTimedOut", "RunFailed");
        for (String pass : errorPaths) {
            assertThat(state(pass).get("Next").asText()).as(pass).isEqualTo("RecordFailedRun");
        }
        // Short of a new task (a platform failure's retry goes back to RunTask), RecordRun is not reached.
        assertThat(reachableFrom(errorPaths, Set.of("RunTask"))).doesNotContain("RecordRun")
                .contains("RecordFailedRun", "CleanUp");
        assertThat(reachableFrom(List.of(state("RunTask").get("Next").asText()), Set.of("RunTask")))
                .contains("RecordRun").doesNotContain("RecordFailedRun");
    }

    @Test
    void failAndCleanUpNeverLoopAndCleanUpIsTheLastStep() {
        assertThat(state("Fail").at("/Catch/0/Next").asText()).isEqualTo("CleanUp");
        assertThat(state("CleanUp").at("/Catch/0/Next").asText()).isEqualTo("CleanUpFailed");
        assertThat(state("CleanUpFailed").get("Type").asText()).isEqualTo("Fail");
        assertThat(state("Finished").at("/Choices/0/Variable").asText()).isEqualTo("$.stage");
        assertThat(state("Finished").at("/Choices/0/Next").asText()).isEqualTo("StepFailed");
        assertThat(state("Finished").get("Default").asText()).isEqualTo("Done");
    }

    @Test
    void codeBuildsOwnTimeoutsFireBeforeTheBuildStatesTimer() {
        JsonNode project = TemplateQueries.resources("AWS::CodeBuild::Project").get(0).get("Properties");
        int codeBuildLimitSeconds = (project.get("QueuedTimeoutInMinutes").asInt() + project.get("TimeoutInMinutes").asInt()) * 60;
        assertThat(state("BuildAndScan").get("TimeoutSeconds").asInt()).isGreaterThan(codeBuildLimitSeconds);
    }

    @Test
    void buildAndScanRunsTheCodeBuildProjectSynchronouslyWithTheJobsVariables() {
        JsonNode build = state("BuildAndScan");
        assertThat(build.get("Resource").asText()).endsWith(":states:::codebuild:startBuild.sync");
        // CodeBuild's queue (1 h) and build limit (15 min build + 30 min scan and push) fire before the state's.
        assertThat(build.get("TimeoutSeconds").asInt()).isEqualTo(3600 + (15 + 30) * 60 + 10 * 60);
        List<String> names = new ArrayList<>();
        build.at("/Parameters/EnvironmentVariablesOverride").forEach(v -> names.add(v.get("Name").asText()));
        assertThat(names).containsExactlyInAnyOrder("JOB_ID", "ARTIFACT_BUCKET", "IMAGE_REPOSITORY_URI",
                "SEVERITY_THRESHOLD", "IGNORE_UNFIXED", "MISCONFIG_THRESHOLD", "BUILD_TIMEOUT_SECONDS", "MAX_IMAGE_BYTES");
        assertThat(build.at("/Parameters/EnvironmentVariablesOverride/0")).isEqualTo(TemplateQueries.JSON
                .valueToTree(Map.of("Name", "JOB_ID", "Type", "PLAINTEXT", "Value.$", "$.jobId")));
        assertThat(build.at("/Retry/0/ErrorEquals/0").asText()).isEqualTo("CodeBuild.AccountLimitExceededException");
    }

    @Test
    void runTaskIsAnIsolatedFargateTaskWhoseTimerAllowsTheStartBeforeTheRunAndAMarginForTheStop() {
        JsonNode run = state("RunTask");
        assertThat(run.get("Resource").asText()).endsWith(":states:::ecs:runTask.sync");
        // The run clock in the task ends the run 600 s after the job's container started; this timer allows the
        // start (provisioning, the pull: 1800 s by default) before it, and 120 s for ECS to stop the task after it.
        assertThat(run.get("TimeoutSeconds").asInt()).isEqualTo(1800 + 600 + 120);
        assertThat(run.get("ResultPath").asText()).isEqualTo("$.task");
        JsonNode parameters = run.get("Parameters");
        assertThat(parameters.get("LaunchType").asText()).isEqualTo("FARGATE");
        assertThat(parameters.get("TaskDefinition.$").asText()).isEqualTo("$.prepare.taskDefinitionArn");
        assertThat(parameters.get("StartedBy.$").asText()).isEqualTo("$.jobId");
        JsonNode network = parameters.at("/NetworkConfiguration/AwsvpcConfiguration");
        assertThat(network.get("AssignPublicIp").asText()).isEqualTo("DISABLED");
        assertThat(network.get("Subnets")).hasSize(2);
        assertThat(network.get("SecurityGroups")).hasSize(1);
        // A timeout and any other failure both end up in $.error, marked, and go on to be recorded.
        assertThat(run.at("/Catch/0/ErrorEquals/0").asText()).isEqualTo("States.Timeout");
        assertThat(run.at("/Catch/0/ResultPath").asText()).isEqualTo("$.error");
        assertThat(state(run.at("/Catch/0/Next").asText()).get("Result").asBoolean()).isTrue();
        assertThat(state(run.at("/Catch/0/Next").asText()).get("ResultPath").asText()).isEqualTo("$.error.timedOut");
        assertThat(run.at("/Catch/1/ErrorEquals/0").asText()).isEqualTo("States.ALL");
        assertThat(run.at("/Catch/1/ResultPath").asText()).isEqualTo("$.error");
        assertThat(state(run.at("/Catch/1/Next").asText()).get("Result").asBoolean()).isFalse();
        assertThat(state(run.at("/Catch/0/Next").asText()).get("Next").asText()).isEqualTo("RecordFailedRun");
        assertThat(state(run.at("/Catch/1/Next").asText()).get("Next").asText()).isEqualTo("RecordFailedRun");
        assertThat(run.at("/Retry/0/ErrorEquals/0").asText()).isEqualTo("ECS.AmazonECSException");
        // Capacity and ENI failures arrive as AmazonECS.Unknown: retried with backoff, not recorded at once.
        assertThat(run.at("/Retry/0/ErrorEquals/1").asText()).isEqualTo("AmazonECS.Unknown");
        assertThat(run.at("/Retry/0/MaxAttempts").asInt()).isEqualTo(6);
        assertThat(run.at("/Retry/0/BackoffRate").asDouble()).isEqualTo(2.0);
    }

    @Test
    void executionEndedRuleSendsAbortedTimedOutAndFailedExecutionsToTheExecutionEndedFunction() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Map.of(
                        "source", List.of("aws.states"),
                        "detail-type", List.of("Step Functions Execution Status Change"),
                        "detail", Map.of("status", List.of("ABORTED", "TIMED_OUT", "FAILED"),
                                "stateMachineArn", List.of(Map.of("Ref",
                                        Match.stringLikeRegexp("JobWorkflowStateMachine.*"))))),
                "State", "ENABLED",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("WorkflowFunctionsExecutionEnded.*"), "Arn")),
                        "InputTransformer", Map.of(
                                "InputPathsMap", Map.of("detail-name", "$.detail.name", "detail-status", "$.detail.status"),
                                "InputTemplate", "{\"jobId\":<detail-name>,\"status\":<detail-status>}"),
                        "RetryPolicy", Match.objectLike(Map.of("MaximumRetryAttempts", 8)))))));
        template.hasResourceProperties("AWS::Lambda::Permission", Map.of(
                "Action", "lambda:InvokeFunction", "Principal", "events.amazonaws.com"));
    }

    @Test
    void aCleanUpThatFailsEveryTryIsKeptInAQueueAndRaisesAnAlarm() {
        template.hasResourceProperties("AWS::SQS::Queue", Map.of("SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 14 * 24 * 3600));
        Object queueArn = Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("JobWorkflowFailedCleanUps.*"), "Arn"));
        // EventBridge's undeliverable events, for the execution-ended rule's one target.
        template.hasResourceProperties("AWS::Events::Rule", Map.of("Targets", List.of(
                Match.objectLike(Map.of("DeadLetterConfig", Map.of("Arn", queueArn))))));
        // The function's own asynchronous invocations that failed every retry.
        for (String function : List.of("ExecutionEnded")) {
            template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                    "FunctionName", Map.of("Ref", Match.stringLikeRegexp("WorkflowFunctions" + function + ".*")),
                    "MaximumRetryAttempts", 2,
                    "DestinationConfig", Map.of("OnFailure", Map.of("Destination", queueArn))));
        }
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Threshold", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("JobWorkflowFailedCleanUps.*"), "QueueName"))))));
    }

    // ---- platform failures: retried, then recorded ----

    @Test
    void aRunThePlatformFailedGoesBackToRunTaskOnANewTaskWithItsOwnDataAfterAWait() {
        assertThat(state("RecordFailedRun").get("ResultPath").asText()).isEqualTo("$.failedRun");
        JsonNode retryRun = state("RetryRun");
        assertThat(retryRun.get("Choices")).hasSize(1);
        assertThat(TemplateQueries.map(retryRun.at("/Choices/0"))).isEqualTo(Map.of(
                "Variable", "$.failedRun.retry", "BooleanEquals", true, "Next", "RunBackoff"));
        assertThat(retryRun.get("Default").asText()).isEqualTo("CleanUp");
        // No emptying of /data between attempts: each task's volume is its own, made empty by its data-init.
        assertThat(states.has("ClearRunData")).isFalse();
        assertThat(TemplateQueries.map(state("RunBackoff"))).isEqualTo(Map.of("Type", "Wait",
                "SecondsPath", "$.failedRun.waitSeconds", "Next", "NextRunAttempt"));
        assertThat(TemplateQueries.map(state("NextRunAttempt"))).isEqualTo(Map.of("Type", "Pass",
                "Parameters", Map.of("build.$", "$.attempts.build", "run.$", "States.MathAdd($.attempts.run, 1)"),
                "ResultPath", "$.attempts", "Next", "RunTask"));
    }

    @Test
    void aJobsRunsGoRoundANewTaskEachUntilRecordRunAnswersThatNoneIsDue() {
        assertThat(JobWorkflow.MAX_RUNS).isEqualTo(Runs.MAX);
        // The first run is number 1; RecordRun's answer is kept (not discarded) for the choice.
        assertThat(TemplateQueries.map(state("FirstRun"))).isEqualTo(Map.of("Type", "Pass",
                "Result", Map.of("number", 1), "ResultPath", "$.run", "Next", "RunTask"));
        assertThat(state("RecordRun").get("ResultPath").asText()).isEqualTo("$.recordRun");
        JsonNode moreRuns = state("MoreRuns");
        assertThat(moreRuns.get("Type").asText()).isEqualTo("Choice");
        assertThat(moreRuns.get("Choices")).hasSize(1);
        assertThat(TemplateQueries.map(moreRuns.at("/Choices/0"))).isEqualTo(Map.of(
                "Variable", "$.recordRun.proceed", "BooleanEquals", true, "Next", "NextRun"));
        assertThat(moreRuns.get("Default").asText()).isEqualTo("CleanUp");
        // The next run: number + 1, its first platform attempt, and the state rebuilt without the last run's task,
        // error and answers; then RunTask, a new task of the job's task definition (so a /data of its own).
        assertThat(TemplateQueries.map(state("NextRun"))).isEqualTo(Map.of("Type", "Pass",
                "Parameters", Map.of("jobId.$", "$.jobId", "begin.$", "$.begin", "prepare.$", "$.prepare",
                        "attempts", Map.of("build.$", "$.attempts.build", "run", 1),
                        "run", Map.of("number.$", "States.MathAdd($.run.number, 1)")),
                "ResultPath", "$", "Next", "RunTask"));
        // Nothing empties /data between runs: each task's volume is its own, made empty by its data-init.
        assertThat(reachableFrom(List.of("NextRun"), Set.of("RunTask"))).containsExactly("NextRun");
        // A run that failed never goes round to another run: only its own platform retry reaches RunTask again.
        assertThat(reachableFrom(List.of("RecordFailedRun"), Set.of("RunTask"))).doesNotContain("NextRun", "MoreRuns");
    }

    @Test
    void aBuildThePlatformFailedGoesBackToBuildAndScanWithoutTheFailedAttemptsStage() {
        assertThat(state("RecordFailedBuild").get("ResultPath").asText()).isEqualTo("$.failedBuild");
        assertThat(state("RecordFailedBuild").at("/Catch/0/Next").asText()).isEqualTo("CleanUp");
        assertThat(state("RecordFailedBuild").get("Next").asText()).isEqualTo("RetryBuild");
        JsonNode retryBuild = state("RetryBuild");
        assertThat(TemplateQueries.map(retryBuild.at("/Choices/0"))).isEqualTo(Map.of(
                "Variable", "$.failedBuild.retry", "BooleanEquals", true, "Next", "BuildBackoff"));
        assertThat(retryBuild.get("Default").asText()).isEqualTo("CleanUp");
        assertThat(TemplateQueries.map(state("BuildBackoff"))).isEqualTo(Map.of("Type", "Wait",
                "SecondsPath", "$.failedBuild.waitSeconds", "Next", "NextBuildAttempt"));
        // The state is rebuilt: a retried build that succeeds carries no $.stage, so it does not end StepFailed.
        assertThat(TemplateQueries.map(state("NextBuildAttempt"))).isEqualTo(Map.of("Type", "Pass",
                "Parameters", Map.of("jobId.$", "$.jobId", "begin.$", "$.begin", "attempts", Map.of(
                        "build.$", "States.MathAdd($.attempts.build, 1)", "run.$", "$.attempts.run")),
                "ResultPath", "$", "Next", "BuildAndScan"));
    }

    @Test
    void aBuildARegistryThrottledGoesToRecordFailedBuildAsABuildStageFailure() {
        assertThat(JobWorkflow.REGISTRY_THROTTLED)
                .isEqualTo(RegistryThrottledException.ERROR);
        JsonNode catches = state("AfterBuild").get("Catch");
        assertThat(TemplateQueries.texts(catches.at("/0/ErrorEquals"))).containsExactly(JobWorkflow.REGISTRY_THROTTLED);
        assertThat(catches.at("/0/ResultPath").asText()).isEqualTo("$.error");
        JsonNode stage = state(catches.at("/0/Next").asText());
        assertThat(stage.get("Result").asText()).isEqualTo("build");
        assertThat(stage.get("ResultPath").asText()).isEqualTo("$.stage");
        assertThat(stage.get("Next").asText()).isEqualTo("RecordFailedBuild");
        assertThat(TemplateQueries.texts(catches.at("/1/ErrorEquals"))).containsExactly("States.ALL");
    }

    @Test
    void lambdaAttemptsTheFailureMessageNamesAreTheOnesTheStatesMake() {
        JsonNode retry = state("Begin").get("Retry").get(0);
        assertThat(retry.get("MaxAttempts").asInt() + 1)
                .isEqualTo(RecordFailureHandler.LAMBDA_ATTEMPTS);
        List<String> errors = new ArrayList<>();
        retry.get("ErrorEquals").forEach(e -> errors.add(e.asText()));
        assertThat(errors).containsExactlyInAnyOrderElementsOf(
                RecordFailureHandler.LAMBDA_SERVICE_ERRORS);
    }

    @Test
    void runTasksOwnRetryCoversTheErrorsTheRecorderCallsThePlatforms() {
        List<String> errors = new ArrayList<>();
        state("RunTask").at("/Retry/0/ErrorEquals").forEach(e -> errors.add(e.asText()));
        assertThat(errors).containsExactlyInAnyOrderElementsOf(
                EcsRunOutcome.RUN_TASK_PLATFORM_ERRORS);
    }
}
