package io.perfbox.adapter.aws.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.aws.LocalStack;
import io.perfbox.testing.aws.StateMachines;
import io.perfbox.testing.docker.RequiresDocker;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/** The launcher on LocalStack's Step Functions, with a state machine that waits long enough to be stopped. */
@RequiresDocker
class StepFunctionsPipelineLauncherIT {
    private static SfnClient sfn;
    private static String stateMachineArn;
    private static StepFunctionsPipelineLauncher launcher;

    @BeforeAll
    static void stateMachine() {
        sfn = LocalStack.sfn();
        stateMachineArn = StateMachines.createWaiting(sfn);
        launcher = new StepFunctionsPipelineLauncher(sfn, stateMachineArn);
    }

    private static List<ExecutionListItem> executionsNamed(JobId id) {
        return sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().stream()
                .filter(e -> e.name().equals(id.value())).toList();
    }

    @Test
    void startRunsAnExecutionNamedByTheJobWithTheJobIdAsInput() {
        JobId id = JobId.random();
        launcher.start(id);

        DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(launcher.executionArn(id)));
        assertThat(execution.name()).isEqualTo(id.value());
        assertThat(execution.stateMachineArn()).isEqualTo(stateMachineArn);
        assertThat(execution.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(execution.input()).isEqualToIgnoringWhitespace("{\"jobId\":\"" + id.value() + "\"}");
        launcher.stop(id);
    }

    @Test
    void startingTwiceStartsOneExecution() {
        JobId id = JobId.random();
        launcher.start(id);
        launcher.start(id);
        assertThat(executionsNamed(id)).hasSize(1);
        launcher.stop(id);
    }

    @Test
    void startingAgainAfterTheExecutionEndedStartsNoOther() throws InterruptedException {
        JobId id = JobId.random();
        launcher.start(id);
        launcher.stop(id);
        assertThat(StateMachines.settledStatus(sfn, launcher.executionArn(id))).isEqualTo(ExecutionStatus.ABORTED);
        launcher.start(id); // ExecutionAlreadyExists: the job had its one execution
        assertThat(executionsNamed(id)).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.ABORTED));
    }

    @Test
    void stopAbortsTheRunningExecutionAndSaysWhy() throws InterruptedException {
        JobId id = JobId.random();
        launcher.start(id);
        launcher.stop(id);

        assertThat(StateMachines.settledStatus(sfn, launcher.executionArn(id))).isEqualTo(ExecutionStatus.ABORTED);
        HistoryEvent aborted = sfn.getExecutionHistory(b -> b.executionArn(launcher.executionArn(id))).events().stream()
                .filter(e -> e.type() == HistoryEventType.EXECUTION_ABORTED).findFirst().orElseThrow();
        assertThat(aborted.executionAbortedEventDetails().error()).isEqualTo(StepFunctionsPipelineLauncher.STOP_ERROR);
        assertThat(aborted.executionAbortedEventDetails().cause()).isEqualTo(StepFunctionsPipelineLauncher.STOP_CAUSE);
    }

    @Test
    void stoppingAnEndedExecutionAgainIsHarmless() throws InterruptedException {
        JobId id = JobId.random();
        launcher.start(id);
        launcher.stop(id);
        assertThat(StateMachines.settledStatus(sfn, launcher.executionArn(id))).isEqualTo(ExecutionStatus.ABORTED);
        launcher.stop(id);
        assertThat(StateMachines.settledStatus(sfn, launcher.executionArn(id))).isEqualTo(ExecutionStatus.ABORTED);
    }

    @Test
    void stoppingAJobThatNeverStartedIsHarmless() {
        JobId id = JobId.random();
        launcher.stop(id);
        assertThat(executionsNamed(id)).isEmpty();
    }
}
