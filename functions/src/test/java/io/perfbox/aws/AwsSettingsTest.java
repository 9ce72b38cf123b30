package io.perfbox.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;

class AwsSettingsTest {
    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:perfbox-jobs";

    private static Map<String, String> api() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("PERFBOX_JOBS_TABLE", "perfbox-jobs");
        env.put("PERFBOX_ARTIFACT_BUCKET", "perfbox-artifacts-123456789012");
        env.put("PERFBOX_STATE_MACHINE_ARN", STATE_MACHINE);
        return env;
    }

    private static Map<String, String> workflow() {
        Map<String, String> env = api();
        env.remove("PERFBOX_STATE_MACHINE_ARN");
        env.put("PERFBOX_SEVERITY_THRESHOLD", "high");
        env.put("PERFBOX_IGNORE_UNFIXED", "true");
        env.put("PERFBOX_CLUSTER_ARN", "arn:aws:ecs:eu-west-1:123456789012:cluster/perfbox");
        env.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", "arn:aws:iam::123456789012:role/perfbox-task-execution");
        env.put("PERFBOX_TASK_ROLE_ARN", "arn:aws:iam::123456789012:role/perfbox-task");
        env.put("PERFBOX_TASK_LOG_GROUP", "/perfbox/jobs");
        env.put("PERFBOX_TASK_CPU", "1024");
        env.put("PERFBOX_TASK_MEMORY_MIB", "2048");
        env.put("PERFBOX_RUN_TIMEOUT_SECONDS", "300");
        env.put("PERFBOX_FILE_SYSTEM_ID", "fs-0123456789abcdef0");
        env.put("PERFBOX_ECR_REPOSITORY", "perfbox/jobs");
        return env;
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return env;
    }

    @Test
    void apiSettingsAreReadIntoTypedValues() {
        AwsSettings.Api s = AwsSettings.Api.from(api());
        assertThat(s.common().region()).isEqualTo(Region.EU_WEST_1);
        assertThat(s.common().jobsTable()).isEqualTo("perfbox-jobs");
        assertThat(s.common().artifactBucket()).isEqualTo("perfbox-artifacts-123456789012");
        assertThat(s.stateMachineArn()).isEqualTo(STATE_MACHINE);
        assertThat(s.common().endpoint()).isEmpty();
        assertThat(s.common().dynamoDbEndpointOverride()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS_REGION", "PERFBOX_JOBS_TABLE", "PERFBOX_ARTIFACT_BUCKET", "PERFBOX_STATE_MACHINE_ARN"})
    void aMissingApiVariableIsNamed(String name) {
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), name, null)))
                .isInstanceOf(AwsSettings.InvalidSettingException.class)
                .hasMessageStartingWith(name + " is not set");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), name, "  ")))
                .hasMessageStartingWith(name + " is not set");
    }

    @Test
    void invalidApiValuesAreNamedWithTheValue() {
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "AWS_REGION", "Ireland")))
                .hasMessage("AWS_REGION is not a region such as eu-west-1: 'Ireland'");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "PERFBOX_ARTIFACT_BUCKET", "Has_Upper")))
                .hasMessageContaining("PERFBOX_ARTIFACT_BUCKET").hasMessageContaining("Has_Upper");
        assertThatThrownBy(() -> AwsSettings.Api.from(with(api(), "PERFBOX_STATE_MACHINE_ARN",
                "arn:aws:states:eu-west-1:123456789012:execution:perfbox-jobs:x")))
                .hasMessageContaining("PERFBOX_STATE_MACHINE_ARN");
    }

    @Test
    void endpointOverridesAreForTestsAndDynamoDbFallsBackToTheCommonOne() {
        AwsSettings.Common one = AwsSettings.Common.from(with(api(), "PERFBOX_AWS_ENDPOINT", "http://127.0.0.1:4566"));
        assertThat(one.endpoint()).contains(URI.create("http://127.0.0.1:4566"));
        assertThat(one.dynamoDbEndpointOverride()).contains(URI.create("http://127.0.0.1:4566"));

        AwsSettings.Common two = AwsSettings.Common.from(with(with(api(), "PERFBOX_AWS_ENDPOINT", "http://127.0.0.1:4566"),
                "PERFBOX_AWS_ENDPOINT_DYNAMODB", "http://127.0.0.1:8000"));
        assertThat(two.dynamoDbEndpointOverride()).contains(URI.create("http://127.0.0.1:8000"));

        assertThatThrownBy(() -> AwsSettings.Common.from(with(api(), "PERFBOX_AWS_ENDPOINT", "localhost:4566")))
                .hasMessageStartingWith("PERFBOX_AWS_ENDPOINT must be an http(s) URL");
    }

    @Test
    void workflowSettingsAreReadIntoTypedValues() {
        AwsSettings.Workflow s = AwsSettings.Workflow.from(workflow());
        assertThat(s.severityThreshold()).isEqualTo(Severity.HIGH);
        assertThat(s.ignoreUnfixed()).isTrue();
        assertThat(s.taskCpu()).isEqualTo(1024);
        assertThat(s.taskMemoryMib()).isEqualTo(2048);
        assertThat(s.runTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.fileSystemId()).isEqualTo("fs-0123456789abcdef0");
        assertThat(s.ecrRepository()).isEqualTo("perfbox/jobs");
        assertThat(s.taskLogGroup()).isEqualTo("/perfbox/jobs");
        assertThat(s.clusterArn()).endsWith(":cluster/perfbox");
    }

    @Test
    void invalidWorkflowValuesAreNamed() {
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_SEVERITY_THRESHOLD", "SEVERE")))
                .hasMessageStartingWith("PERFBOX_SEVERITY_THRESHOLD").hasMessageContaining("SEVERE");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_IGNORE_UNFIXED", "yes")))
                .hasMessage("PERFBOX_IGNORE_UNFIXED must be true or false, not 'yes'");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_TASK_CPU", "1 vCPU")))
                .hasMessage("PERFBOX_TASK_CPU is not a whole number: '1 vCPU'");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_TASK_MEMORY_MIB", "64")))
                .hasMessage("PERFBOX_TASK_MEMORY_MIB must be from 512 to 122880, not 64");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_RUN_TIMEOUT_SECONDS", "0")))
                .hasMessageStartingWith("PERFBOX_RUN_TIMEOUT_SECONDS");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_FILE_SYSTEM_ID", "efs-1")))
                .hasMessageStartingWith("PERFBOX_FILE_SYSTEM_ID");
        assertThatThrownBy(() -> AwsSettings.Workflow.from(with(workflow(), "PERFBOX_TASK_ROLE_ARN", null)))
                .hasMessageStartingWith("PERFBOX_TASK_ROLE_ARN is not set");
    }

    @Test
    void workspaceRootMustBeAnAbsolutePath() {
        assertThat(AwsSettings.Workspace.from(Map.of("PERFBOX_WORKSPACE_ROOT", "/mnt/jobs")).root()).isEqualTo(Path.of("/mnt/jobs"));
        assertThatThrownBy(() -> AwsSettings.Workspace.from(Map.of("PERFBOX_WORKSPACE_ROOT", "mnt/jobs")))
                .hasMessageStartingWith("PERFBOX_WORKSPACE_ROOT must be an absolute path");
        assertThatThrownBy(() -> AwsSettings.Workspace.from(Map.of()))
                .hasMessageStartingWith("PERFBOX_WORKSPACE_ROOT is not set");
    }

    @Test
    void theCommonSettingsAreCheckedWhenBuiltDirectlyToo() {
        assertThatThrownBy(() -> new AwsSettings.Common(Region.EU_WEST_1, "t", "bucket", Optional.empty(), Optional.empty()))
                .hasMessageContaining("PERFBOX_JOBS_TABLE");
    }
}
