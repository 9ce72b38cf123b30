package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.logging.JobLogContext;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.logging.CapturedLogLines;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrepareRunHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final PrepareRunHandler handler = new PrepareRunHandler(f.aws.accessPoints(), f.aws.roles(), f.aws,
            f.config.ecrRepository());


    @Test
    void createsTheAccessPointThenARoleAllowedOnlyThatThenATaskDefinitionRunningAsThatRoleAndMountingIt() {
        Map<String, Object> out = f.step(handler, "\"imageUri\":\"" + StepInputs.imageUri(f.id) + "\"");

        assertThat(out).isEqualTo(Map.of(
                "taskDefinitionArn", "arn:aws:ecs:eu-west-1:123456789012:task-definition/perfbox-job-" + f.id + ":1",
                "accessPointId", "fsap-0123456789abcdef0"));
        assertThat(f.aws.calls()).containsExactly("createAccessPoint " + f.id,
                "createRole " + f.id + " fsap-0123456789abcdef0",
                "registerTaskDefinition " + f.id + " " + StepInputs.imageUri(f.id) + " fsap-0123456789abcdef0 "
                        + FakeAwsResources.roleArn(f.id));
    }

    @Test
    void imageOfAnotherJobIsRefusedBeforeAnythingIsCreated() {
        String other = StepInputs.imageUri(JobId.random());
        assertThatThrownBy(() -> f.step(handler, "\"imageUri\":\"" + other + "\""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not this job's image");
        assertThat(f.aws.calls()).isEmpty();
    }

    @Test
    void noTaskDefinitionIsRegisteredWhenTheRoleCannotBeMade() {
        f.aws.failOn("createRole", new IllegalStateException("IAM throttled"));

        assertThatThrownBy(() -> f.step(handler, "\"imageUri\":\"" + StepInputs.imageUri(f.id) + "\""))
                .hasMessageContaining("IAM throttled");
        assertThat(f.aws.calls()).noneMatch(call -> call.startsWith("registerTaskDefinition"));
    }
}
