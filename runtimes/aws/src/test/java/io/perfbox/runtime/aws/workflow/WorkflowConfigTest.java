package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.core.domain.Severity;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.testing.aws.StepInputs;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;

class WorkflowConfigTest {
    private static Map<String, String> with(String name, String value) {
        Map<String, String> env = new HashMap<>(StepInputs.ENV);
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return env;
    }

    @Test
    void everyVariableIsRead() {
        WorkflowConfig c = WorkflowConfig.fromEnvironment(StepInputs.ENV);
        assertThat(c.common()).isEqualTo(new AwsSettings.Common(Region.EU_WEST_1, "perfbox-jobs",
                "perfbox-artifacts-123456789012"));
        assertThat(c.policy().threshold()).isEqualTo(Severity.HIGH);
        assertThat(c.policy().ignoreUnfixed()).isFalse();
        assertThat(c.clusterArn()).isEqualTo(StepInputs.CLUSTER);
        assertThat(c.taskExecutionRoleArn()).endsWith("role/perfbox-task-execution");
        assertThat(c.taskLogGroup()).isEqualTo("/perfbox/runs");
        assertThat(c.taskCpu()).isEqualTo(1024);
        assertThat(c.taskMemoryMiB()).isEqualTo(2048);
        assertThat(c.runMemoryLimitBytes()).isEqualTo(2048L * 1024 * 1024);
        assertThat(c.runTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.runStartTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.taskHelpersImage()).isEqualTo(StepInputs.TASK_HELPERS_IMAGE);
        assertThat(c.ecrRepository()).isEqualTo("perfbox-jobs");
    }

    @Test
    void thresholdAndIgnoreUnfixedFormThePolicy() {
        Map<String, String> env = with("PERFBOX_SEVERITY_THRESHOLD", "critical");
        env.put("PERFBOX_IGNORE_UNFIXED", "true");
        WorkflowConfig c = WorkflowConfig.fromEnvironment(env);
        assertThat(c.policy().threshold()).isEqualTo(Severity.CRITICAL);
        assertThat(c.policy().ignoreUnfixed()).isTrue();
    }

    @Test
    void misconfigurationsAreWarningsUnlessAThresholdIsSet() {
        assertThat(WorkflowConfig.fromEnvironment(StepInputs.ENV).policy().misconfigThreshold()).isNull();
        assertThat(WorkflowConfig.fromEnvironment(with("PERFBOX_MISCONFIG_THRESHOLD", "NONE")).policy()
                .misconfigThreshold()).isNull();
        assertThat(WorkflowConfig.fromEnvironment(with("PERFBOX_MISCONFIG_THRESHOLD", "high")).policy()
                .misconfigThreshold()).isEqualTo(Severity.HIGH);
        assertThatThrownBy(() -> WorkflowConfig.fromEnvironment(with("PERFBOX_MISCONFIG_THRESHOLD", "root")))
                .hasMessageContaining("PERFBOX_MISCONFIG_THRESHOLD").hasMessageContaining("must be one of");
    }

    @Test
    void emptyEnvironmentNamesEveryMissingVariableAtOnce() {
        assertThatThrownBy(() -> WorkflowConfig.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(StepInputs.ENV.keySet().toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PERFBOX_SEVERITY_THRESHOLD|SEVERE|must be one of",
            "PERFBOX_IGNORE_UNFIXED|yes|true or false",
            "PERFBOX_CLUSTER_ARN|perfbox|an ECS cluster ARN",
            "PERFBOX_CLUSTER_ARN|arn:aws:ecs:::cluster/perfbox|an ECS cluster ARN",
            "PERFBOX_TASK_EXECUTION_ROLE_ARN|role/perfbox-task-execution|an ARN",
            "PERFBOX_TASK_CPU|1000|one of Fargate's",
            "PERFBOX_TASK_CPU|one|not a whole number",
            "PERFBOX_TASK_MEMORY_MIB|256|not valid for 1024 CPU units",
            "PERFBOX_TASK_MEMORY_MIB|9000|Fargate allows 2048 to 8192 MiB in steps of 1024",
            "AWS_REGION|Ireland|region",
            "PERFBOX_TASK_LOG_GROUP|a log group|CloudWatch Logs group",
            "PERFBOX_RUN_TIMEOUT_SECONDS|0|at least 1",
            "PERFBOX_MAX_IMAGE_MIB|204800|at most 194560",
            "PERFBOX_RUN_TIMEOUT_SECONDS|15m|not a whole number",
            "PERFBOX_RUN_START_TIMEOUT_SECONDS|0|at least 1",
            "PERFBOX_TASK_HELPERS_IMAGE|busybox|an image such as",
            "PERFBOX_TASK_HELPERS_IMAGE|registry.invalid/task-helpers|an image such as",
            "PERFBOX_ECR_REPOSITORY|Perfbox Jobs|repository name",
            "PERFBOX_JOBS_TABLE| |is not set"})
    void invalidValueIsNamedWithWhatIsWrong(String name, String value, String problem) {
        assertThatThrownBy(() -> WorkflowConfig.fromEnvironment(with(name, value)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name)
                .hasMessageContaining(problem);
    }

    @Test
    void commonSettingsAreReadByTheirOwnCodeAndFailAlongsideTheWorkflowsOwn() {
        Map<String, String> env = with("PERFBOX_ARTIFACT_BUCKET", "Not_A_Bucket");
        env.put("PERFBOX_TASK_CPU", "1000");

        assertThatThrownBy(() -> WorkflowConfig.fromEnvironment(env))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageStartingWith("perfbox's configuration is incomplete: ")
                .hasMessageContainingAll("PERFBOX_ARTIFACT_BUCKET is not an S3 bucket name", "PERFBOX_TASK_CPU=1000");
        assertThat(WorkflowConfig.fromEnvironment(StepInputs.ENV).common())
                .isEqualTo(AwsSettings.Common.from(StepInputs.ENV));
    }

    @Test
    void taskDefinitionsShareTheRegionLogGroupSizeExecutionRoleAndHelpers() {
        assertThat(WorkflowConfig.fromEnvironment(StepInputs.ENV).taskDefinitions()).isEqualTo(
                new EcsTaskDefinitions.Settings("eu-west-1", "/perfbox/runs", 1024, 2048, 20,
                        "arn:aws:iam::123456789012:role/perfbox-task-execution", StepInputs.TASK_HELPERS_IMAGE, 900));
    }
}
