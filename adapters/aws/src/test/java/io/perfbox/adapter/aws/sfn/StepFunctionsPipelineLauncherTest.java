package io.perfbox.adapter.aws.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.JobId;
import org.junit.jupiter.api.Test;

class StepFunctionsPipelineLauncherTest {

    @Test
    void theExecutionArnFollowsFromTheStateMachineAndTheJob() {
        var launcher = new StepFunctionsPipelineLauncher(null, "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:perfbox-jobs");
        JobId id = new JobId("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
        assertThat(launcher.executionArn(id))
                .isEqualTo("arn:aws-cn:states:cn-north-1:123456789012:execution:perfbox-jobs:3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
    }

    @Test
    void theInputIsJsonWithTheJobIdOnly() throws Exception {
        JobId id = JobId.random();
        var input = new ObjectMapper().readTree(StepFunctionsPipelineLauncher.inputOf(id));
        assertThat(input.size()).isEqualTo(1);
        assertThat(input.path("jobId").asText()).isEqualTo(id.value());
    }

    @Test
    void anythingButAStateMachineArnIsRefused() {
        assertThatThrownBy(() -> new StepFunctionsPipelineLauncher(null, "arn:aws:states:eu-west-1:123456789012:activity:x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StepFunctionsPipelineLauncher(null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
