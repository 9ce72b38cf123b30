package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.dynamodb.JobTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The scheduled reconciler in the template: its schedule, its function (the reconcile handler, its own grants:
 * IamTest), the alarm on its failures, the sparse index it queries, and the state machine name its grants rest on.
 */
class ReconcilerTest {
    private final Template template = SynthesizedStack.TEMPLATE;
    private final Map<String, Object> function = Map.of("Fn::GetAtt",
            List.of(Match.stringLikeRegexp("WorkflowFunctionsReconcile[0-9A-F]{8}"), "Arn"));

    @Test
    void anEventBridgeScheduleInvokesTheReconcileHandlerEveryQuarterOfAnHour() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.perfbox.runtime.aws.workflow.ReconcileHandler" + JavaLambda.METHOD,
                "Timeout", 600));
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(15 minutes)",
                "State", "ENABLED",
                "Targets", List.of(Match.objectLike(Map.of("Arn", function)))));
        template.hasResourceProperties("AWS::Lambda::Permission", Map.of(
                "Action", "lambda:InvokeFunction",
                "Principal", "events.amazonaws.com",
                "FunctionName", function,
                "SourceArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("JobReconcilerSchedule.*"), "Arn"))));
    }

    @Test
    void aFailedRunIsNotRetriedByLambdaButRaisesAnAlarm() {
        // The next scheduled run is the retry, so each failed run counts once in the Errors metric.
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", Match.stringLikeRegexp("WorkflowFunctionsReconcile[0-9A-F]{8}")),
                "MaximumRetryAttempts", 0));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/Lambda",
                "MetricName", "Errors",
                "Statistic", "Sum",
                "Period", 900,
                "Threshold", 1,
                "EvaluationPeriods", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "TreatMissingData", "notBreaching",
                "Dimensions", List.of(Map.of("Name", "FunctionName",
                        "Value", Map.of("Ref", Match.stringLikeRegexp("WorkflowFunctionsReconcile[0-9A-F]{8}"))))));
    }

    @Test
    void activeJobsHaveASparseIndexOfTheirOwn() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "GlobalSecondaryIndexes", Match.arrayWith(List.of(Map.of(
                        "IndexName", "byActive",
                        "KeySchema", List.of(Map.of("AttributeName", "activeKey", "KeyType", "HASH"),
                                Map.of("AttributeName", "createdKey", "KeyType", "RANGE")),
                        "Projection", Map.of("ProjectionType", "ALL"))))));
        assertThat(JobStoreTable.BY_ACTIVE).isEqualTo(JobTable.BY_ACTIVE);
    }

    @Test
    void theStateMachineIsNamedAfterTheStackSoThatFunctionsItCallsCanNameItsExecutions() {
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineName", SynthesizedStack.STACK_NAME + "-JobWorkflow"));
    }
}
