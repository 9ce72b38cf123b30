package io.perfbox.adapter.aws.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** The launcher as the reconciler's view of executions: DescribeExecution's answer, with the SDK's model objects. */
class StepFunctionsJobExecutionsTest {
    private static final String MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:Perfbox-JobWorkflow";
    private final JobId id = JobId.random();
    private final List<DescribeExecutionRequest> requests = new ArrayList<>();
    private DescribeExecutionResponse answer;

    private final SfnClient sfn = new SfnClient() {
        @Override
        public DescribeExecutionResponse describeExecution(DescribeExecutionRequest request) {
            requests.add(request);
            if (answer == null) {
                throw ExecutionDoesNotExistException.builder().message("Execution Does Not Exist").build();
            }
            return answer;
        }

        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    };
    private final StepFunctionsPipelineLauncher executions = new StepFunctionsPipelineLauncher(sfn, MACHINE);

    @Test
    void runningExecutionIsFoundByTheJobsExecutionArn() {
        answer = DescribeExecutionResponse.builder().executionArn(executions.executionArn(id)).stateMachineArn(MACHINE)
                .name(id.value()).status(ExecutionStatus.RUNNING).startDate(Instant.parse("2026-03-01T12:00:00Z")).build();

        assertThat(executions.find(id)).hasValueSatisfying(e -> {
            assertThat(e.running()).isTrue();
            assertThat(e.stopped()).isEmpty();
        });
        assertThat(requests).singleElement().extracting(DescribeExecutionRequest::executionArn)
                .isEqualTo("arn:aws:states:eu-west-1:123456789012:execution:Perfbox-JobWorkflow:" + id);
    }

    @Test
    void endedExecutionCarriesItsStatusAndWhenItStopped() {
        Instant stopped = Instant.parse("2026-03-01T12:20:00Z");
        answer = DescribeExecutionResponse.builder().executionArn(executions.executionArn(id)).stateMachineArn(MACHINE)
                .name(id.value()).status(ExecutionStatus.FAILED).startDate(Instant.parse("2026-03-01T12:00:00Z"))
                .stopDate(stopped).build();

        assertThat(executions.find(id)).contains(new JobExecutions.Execution("FAILED", Optional.of(stopped)));
        assertThat(executions.find(id).orElseThrow().running()).isFalse();
    }

    @Test
    void executionNeverStartedIsNone() {
        assertThat(executions.find(id)).isEmpty();
    }
}
