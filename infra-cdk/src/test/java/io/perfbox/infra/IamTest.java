package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
    void passRoleIsOnlyForTheTwoTaskRolesAndOnlyToEcsTasks() {
        List<JsonNode> passRole = statements().stream().filter(s -> actions(s).contains("iam:PassRole")).toList();
        assertThat(passRole).hasSize(2); // the step handler (registers task definitions) and the state machine
        for (JsonNode statement : passRole) {
            assertThat(actions(statement)).containsExactly("iam:PassRole");
            List<String> roles = new ArrayList<>();
            statement.get("Resource").forEach(r -> roles.add(r.at("/Fn::GetAtt/0").asText()));
            assertThat(roles).hasSize(2).allMatch(r -> r.startsWith("IsolatedRunnerTaskExecutionRole")
                    || r.startsWith("IsolatedRunnerTaskRole"));
            assertThat(statement.at("/Condition/StringEquals/iam:PassedToService").asText())
                    .isEqualTo("ecs-tasks.amazonaws.com");
        }
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
    void onlySubmitStartsAndOnlyDeleteStopsExecutions() {
        List<JsonNode> start = statements().stream().filter(s -> actions(s).contains("states:StartExecution")).toList();
        List<JsonNode> stop = statements().stream().filter(s -> actions(s).contains("states:StopExecution")).toList();
        assertThat(start).hasSize(1);
        assertThat(stop).hasSize(1);
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobApiSubmitJobServiceRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "states:StartExecution",
                        "Resource", Map.of("Ref", Match.stringLikeRegexp("JobWorkflowStateMachine.*")))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobApiDeleteJobServiceRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "states:StopExecution")))))));
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
}
