package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.aws.StepInputs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrepareRunHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final PrepareRunHandler handler = new PrepareRunHandler(f.aws, f.config.ecrRepository());

    @Test
    void registersTheJobsTaskDefinitionAndNothingElse() {
        Map<String, Object> out = f.step(handler, "\"imageUri\":\"" + StepInputs.imageUri(f.id) + "\"");

        assertThat(out).isEqualTo(Map.of(
                "taskDefinitionArn", "arn:aws:ecs:eu-west-1:123456789012:task-definition/perfbox-job-" + f.id + ":1"));
        // No access point, no role: one ECS call per job, none to IAM or EFS.
        assertThat(f.aws.calls()).containsExactly("registerTaskDefinition " + f.id + " " + StepInputs.imageUri(f.id));
    }

    @Test
    void imageOfAnotherJobIsRefusedBeforeAnythingIsCreated() {
        String other = StepInputs.imageUri(JobId.random());
        assertThatThrownBy(() -> f.step(handler, "\"imageUri\":\"" + other + "\""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not this job's image");
        assertThat(f.aws.calls()).isEmpty();
    }
}
