package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Least privilege: no wildcard actions on data services, PassRole and RunTask only where they must go. */
class IamTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    /** Every statement of every identity policy (AWS::IAM::Policy and inline role policies). */
    private static List<JsonNode> statements() {
        List<JsonNode> statements = new ArrayList<>();
        TemplateQueries.resources("AWS::IAM::Policy").forEach(p ->
                p.at("/Properties/PolicyDocument/Statement").forEach(statements::add));
        TemplateQueries.resources("AWS::IAM::Role").forEach(r -> r.at("/Properties/Policies").forEach(p ->
                p.at("/PolicyDocument/Statement").forEach(statements::add)));
        return statements;
    }

    private static List<String> actions(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        JsonNode action = statement.get("Action");
        if (action.isTextual()) {
            actions.add(action.asText());
        } else {
            action.forEach(a -> actions.add(a.asText()));
        }
        return actions;
    }

    @Test
    void noPolicyGrantsWildcardActionsOnDataServices() {
        List<String> all = statements().stream().flatMap(s -> actions(s).stream()).toList();
        assertThat(all).isNotEmpty().doesNotContain("*");
        assertThat(all).filteredOn(a -> a.matches("(s3|dynamodb|elasticfilesystem|ecr|logs|states|ecs|codebuild):.*\\*.*"))
                .as("wildcard actions on data services").isEmpty();
        assertThat(all).filteredOn(a -> a.endsWith(":*")).as("service-wide actions").isEmpty();
    }

    @Test
    void passRoleIsOnlyForTheExecutionRoleAndOnlyToEcsTasks() {
        List<JsonNode> passRole = statements().stream().filter(s -> actions(s).contains("iam:PassRole")).toList();
        assertThat(passRole).hasSize(2); // the step handler (registers task definitions) and the state machine
        for (JsonNode statement : passRole) {
            assertThat(actions(statement)).containsExactly("iam:PassRole");
            // One resource, which CDK writes as itself rather than a list: the execution role; no task role.
            assertThat(statement.at("/Resource/Fn::GetAtt/0").asText()).as("%s", statement)
                    .startsWith("IsolatedRunnerTaskExecutionRole");
            assertThat(statement.at("/Condition/StringEquals/iam:PassedToService").asText())
                    .isEqualTo("ecs-tasks.amazonaws.com");
        }
    }

    @Test
    void noFunctionOrStateMachineMayCallAnyIamActionButPassingTheExecutionRole() {
        // Issue 18: no IAM control plane on a job's path. The only iam: action left is PassRole (above).
        assertThat(statements().stream().flatMap(s -> actions(s).stream()).filter(a -> a.startsWith("iam:")))
                .containsOnly("iam:PassRole");
        // And nothing of EFS: a job's /data is its own task's.
        assertThat(statements().stream().flatMap(s -> actions(s).stream())
                .filter(a -> a.startsWith("elasticfilesystem:"))).isEmpty();
        assertThat(template.findResources("AWS::EFS::FileSystem")).isEmpty();
        assertThat(template.findResources("AWS::EFS::AccessPoint")).isEmpty();
        assertThat(template.findResources("AWS::IAM::ManagedPolicy")).as("no permissions boundary for job roles")
                .isEmpty();
    }

    @Test
    void runTaskIsConditionedOnTheClusterAndLimitedToJobTaskFamilies() {
        List<JsonNode> runTask = statements().stream().filter(s -> actions(s).contains("ecs:RunTask")).toList();
        assertThat(runTask).hasSize(1);
        assertThat(runTask.get(0).at("/Condition/ArnEquals/ecs:cluster/Fn::GetAtt/0").asText())
                .startsWith("IsolatedRunnerCluster");
        assertThat(runTask.get(0).at("/Resource/Fn::Join/1/6").asText())
                .isEqualTo(":task-definition/perfbox-job-*:*");
    }

    @Test
    void stateMachineMayManageOnlyTheSyncRulesOfCodeBuildAndEcs() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobWorkflowStateMachineRole.*"))),
                // In the order CDK writes them: CodeBuild's (from the task) then ECS's (from grantRunTask).
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Action", List.of("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                                "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                        ":rule/StepFunctionsGetEventForCodeBuildStartBuildRule")))))),
                        Match.objectLike(Map.of(
                                "Action", List.of("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                                "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                        ":rule/StepFunctionsGetEventsForECSTaskRule")))))))))));
    }

    @Test
    void onlySubmitAndTheReconcilerStartAndOnlyCancelStopsExecutions() {
        List<JsonNode> start = statements().stream().filter(s -> actions(s).contains("states:StartExecution")).toList();
        List<JsonNode> stop = statements().stream().filter(s -> actions(s).contains("states:StopExecution")).toList();
        // Submit, and the reconciler for a QUEUED job whose start was lost (its statement: IamTest's RECONCILE).
        assertThat(start).hasSize(2);
        assertThat(stop).hasSize(1);
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("WorkflowFunctionsReconcileServiceRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "states:StartExecution")))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobApiSubmitJobServiceRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "states:StartExecution",
                        "Resource", Map.of("Ref", Match.stringLikeRegexp("JobWorkflowStateMachine.*")))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobApiCancelJobServiceRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "states:StopExecution")))))));
    }

    @Test
    void cancelMayReadAndConditionallyWriteTheJobButNeitherDeleteItNorTouchItsFiles() {
        List<JsonNode> policies = TemplateQueries.resources("AWS::IAM::Policy").stream()
                .filter(p -> p.at("/Properties/Roles/0/Ref").asText().startsWith("JobApiCancelJobServiceRole")).toList();
        assertThat(policies).hasSize(1);
        List<String> granted = new ArrayList<>();
        policies.get(0).at("/Properties/PolicyDocument/Statement").forEach(s -> granted.addAll(actions(s)));
        assertThat(granted).containsExactlyInAnyOrder("xray:PutTraceSegments", "xray:PutTelemetryRecords",
                "dynamodb:GetItem", "dynamodb:PutItem", "states:StopExecution");
    }

    @Test
    void theDockerfileFunctionMayReadTheJobAndItsDockerfileOnly() {
        List<JsonNode> policies = TemplateQueries.resources("AWS::IAM::Policy").stream()
                .filter(p -> p.at("/Properties/Roles/0/Ref").asText().startsWith("JobApiGetJobDockerfileServiceRole")).toList();
        assertThat(policies).hasSize(1);
        List<String> granted = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        policies.get(0).at("/Properties/PolicyDocument/Statement").forEach(s -> {
            granted.addAll(actions(s));
            if (actions(s).contains("s3:GetObject")) {
                objects.add(s.at("/Resource/Fn::Join/1/1").asText());
            }
        });
        assertThat(granted).containsExactlyInAnyOrder("xray:PutTraceSegments", "xray:PutTelemetryRecords",
                "dynamodb:GetItem", "s3:ListBucket", "s3:GetObject");
        assertThat(objects).containsExactly("/jobs/*/Dockerfile");
    }

    @Test
    void openApiFunctionHasNoDataAccess() {
        List<JsonNode> policies = TemplateQueries.resources("AWS::IAM::Policy").stream()
                .filter(p -> p.at("/Properties/Roles/0/Ref").asText().startsWith("JobApiOpenApiServiceRole")).toList();
        assertThat(policies).hasSize(1);
        List<String> granted = new ArrayList<>();
        policies.get(0).at("/Properties/PolicyDocument/Statement").forEach(s -> granted.addAll(actions(s)));
        assertThat(granted).containsExactlyInAnyOrder("xray:PutTraceSegments", "xray:PutTelemetryRecords");
    }

    /**
     * Each state's function may make exactly the calls its handler's adapters make, each on the narrowest resource
     * ECS, ECR, CloudWatch Logs, S3 and DynamoDB allow, and nothing else: the job store (DynamoDbJobStore's
     * find/update, S3JobArtifactStore's list + delete of a job deleted meanwhile), the build objects
     * (S3BuildArtifacts), the kept artifacts (put), EcsTaskDefinitions at PrepareRun, EcsJobTasks,
     * CloudWatchRunLogs, the clean-up's CodeBuildJobBuilds, EcsTaskDefinitions and EcrJobImages, and
     * the reconciler's active-job query, execution look-ups and starts, and inventories.
     */
    @ParameterizedTest
    @EnumSource(WorkflowFunctions.State.class)
    void eachStepMayMakeExactlyTheCallsOfItsHandlersAdapters(WorkflowFunctions.State state) {
        Map<String, Object> role = Map.of("Ref", Match.stringLikeRegexp("WorkflowFunctions" + state.id + "ServiceRole.*"));
        List<Object> expected = new ArrayList<>();
        expected.add(allow(List.of("xray:PutTraceSegments", "xray:PutTelemetryRecords"), "*"));
        for (WorkflowFunctions.Access access : state.access) {
            expected.addAll(statements(access));
        }
        if (state == WorkflowFunctions.State.EXECUTION_ENDED) {
            // Its failed asynchronous invocations go to the queue of failed clean-ups (the function's on-failure
            // destination).
            expected.add(allow(List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                    RunnerTest.getAtt("JobWorkflowFailedCleanUps", "Arn")));
        }
        assertThat(template.findResources("AWS::IAM::Policy", Map.of("Properties", Map.of("Roles", List.of(role)))))
                .as("policies of " + state.id + "'s role").hasSize(1);
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(role),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", expected)));
    }

    @Test
    void theStatesThatWriteTheJobCanAlsoReadIt() {
        for (WorkflowFunctions.State state : WorkflowFunctions.State.values()) {
            if (state.access.contains(WorkflowFunctions.Access.BUILD_OBJECTS)
                    || state.access.contains(WorkflowFunctions.Access.KEPT_ARTIFACTS)) {
                assertThat(state.access).as(state.id).contains(WorkflowFunctions.Access.JOB_STORE);
            }
        }
    }

    private static List<Object> statements(WorkflowFunctions.Access access) {
        Map<String, Object> bucket = RunnerTest.getAtt("ArtifactsBucket", "Arn");
        Map<String, Object> jobTaskDefinitions = RunnerTest.arn("ecs", ":task-definition/perfbox-job-*");
        Map<String, Object> executions = RunnerTest.arn("states",
                ":execution:" + SynthesizedStack.STACK_NAME + "-JobWorkflow:*");
        Object inThisCluster = Map.of("ArnEquals",
                Map.of("ecs:cluster", RunnerTest.getAtt("IsolatedRunnerCluster", "Arn")));
        List<Object> stopTasks = List.of(
                allowIf("ecs:ListTasks", "*", inThisCluster),
                allowIf("ecs:StopTask", RunnerTest.arn("ecs", ":task/", RunnerTest.ref("IsolatedRunnerCluster"), "/*"),
                        inThisCluster));
        return switch (access) {
            case JOB_STORE -> List.of(
                    allow(List.of("dynamodb:GetItem", "dynamodb:PutItem"), RunnerTest.getAtt("JobStoreTable", "Arn")));
            case DROP_ARTIFACTS -> List.of(
                    allow("s3:ListBucket", bucket),
                    allow("s3:DeleteObject", objects(bucket, "/jobs/*")));
            case BUILD_OBJECTS -> List.of(allow("s3:GetObject", List.of(objects(bucket, "/jobs/*/build-outcome.json"),
                    objects(bucket, "/jobs/*/build.log"), objects(bucket, "/jobs/*/trivy-report.json"),
                    objects(bucket, "/jobs/*/trivy-misconfig.json"), objects(bucket, "/jobs/*/Dockerfile"))));
            case KEPT_ARTIFACTS -> List.of(allow("s3:PutObject", objects(bucket, "/jobs/*/artifacts/*")));
            case STORED_RUN_LOG -> List.of(allow("s3:GetObject", objects(bucket, "/jobs/*/artifacts/run-log.json")));
            case PREPARE_TASK -> List.of(
                    allow("ecs:RegisterTaskDefinition", jobTaskDefinitions),
                    allowIf("ecs:TagResource", jobTaskDefinitions,
                            Map.of("StringEquals", Map.of("ecs:CreateAction", "RegisterTaskDefinition"))),
                    allowIf("iam:PassRole", RunnerTest.getAtt("IsolatedRunnerTaskExecutionRole", "Arn"),
                            Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com"))));
            case STOP_TASKS -> stopTasks;
            case RUN_LOGS -> List.of(allow("logs:GetLogEvents", RunnerTest.arn("logs", ":log-group:",
                    RunnerTest.ref("IsolatedRunnerTaskLogs"), ":log-stream:*")));
            case CLEAN_UP -> {
                List<Object> all = new ArrayList<>(stopTasks);
                all.add(allow("ecs:DeleteTaskDefinitions", jobTaskDefinitions));
                all.add(allow(List.of("ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"), "*"));
                all.add(allow("ecr:BatchDeleteImage", RunnerTest.getAtt("BuildAndScanImages", "Arn")));
                // The job's builds by id: its own execution's history, this project's builds only.
                all.add(allow("states:GetExecutionHistory", executions));
                all.add(allow(List.of("codebuild:BatchGetBuilds", "codebuild:StopBuild"),
                        RunnerTest.getAtt("BuildAndScanProject", "Arn")));
                // The job's slot given back (DynamoDbAdmission.release): no Query, no Scan.
                all.add(allow(List.of("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                        RunnerTest.getAtt("JobStoreTable", "Arn")));
                yield all;
            }
            // Its items and the queue in the sparse byUsage index: no Scan, no other index.
            case ADMISSION -> List.of(
                    allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                            RunnerTest.getAtt("JobStoreTable", "Arn")),
                    allow("dynamodb:Query", Map.of("Fn::Join", List.of("", List.of(
                            RunnerTest.getAtt("JobStoreTable", "Arn"), "/index/byUsage")))));
            case RECONCILE -> List.of(
                    // The sparse index of active jobs only: no Scan of the table.
                    allow("dynamodb:Query", Map.of("Fn::Join", List.of("", List.of(
                            RunnerTest.getAtt("JobStoreTable", "Arn"), "/index/byActive")))),
                    // The admissions' inventory: the queue and the slots' holders.
                    allow("dynamodb:Query", Map.of("Fn::Join", List.of("", List.of(
                            RunnerTest.getAtt("JobStoreTable", "Arn"), "/index/byUsage")))),
                    allow("states:DescribeExecution", executions),
                    allow("states:StartExecution", RunnerTest.arn("states",
                            ":stateMachine:" + SynthesizedStack.STACK_NAME + "-JobWorkflow")),
                    allow("ecr:ListImages", RunnerTest.getAtt("BuildAndScanImages", "Arn")));
        };
    }

    private static Object allow(Object action, Object resource) {
        return Match.objectEquals(Map.of("Action", action, "Effect", "Allow", "Resource", resource));
    }

    private static Object allowIf(Object action, Object resource, Object condition) {
        return Match.objectEquals(Map.of("Action", action, "Effect", "Allow", "Resource", resource,
                "Condition", condition));
    }

    private static Map<String, Object> objects(Map<String, Object> bucketArn, String keyPattern) {
        return Map.of("Fn::Join", List.of("", List.of(bucketArn, keyPattern)));
    }
}
