package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.testing.aws.StepInputs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import org.junit.jupiter.api.Test;

class EcsRunOutcomeTest {
    private static final CapturedLog LOG = new CapturedLog("out", false);
    private final JobId id = JobId.random();

    private static StoppedTask parse(String json) throws Exception {
        return StoppedTask.from(StepInputs.JSON.readTree(json)).orElseThrow();
    }

    private ContainerRunner.RunOutcome outcome(Integer exitCode, String reason, String stopCode, String stoppedReason)
            throws Exception {
        return EcsRunOutcome.of(parse(StepInputs.task(id, StepInputs.container(id, exitCode, reason), stopCode,
                stoppedReason)), LOG);
    }

    @Test
    void exitCodeOfTheJobContainerIsTheOutcome() throws Exception {
        assertThat(outcome(0, null, "EssentialContainerExited", "Essential container in task exited"))
                .isEqualTo(new ContainerRunner.Exited(0, LOG));
        assertThat(outcome(42, null, "EssentialContainerExited", "Essential container in task exited"))
                .isEqualTo(new ContainerRunner.Exited(42, LOG));
    }

    @Test
    void memoryKillIsOutOfMemory() throws Exception {
        assertThat(outcome(137, "OutOfMemoryError: Container killed due to memory usage", "EssentialContainerExited",
                "Essential container in task exited")).isEqualTo(new ContainerRunner.OutOfMemory(137, LOG));
    }

    @Test
    void memoryReasonOnAContainerThatExitedZeroIsAPlainExitAsLocally() throws Exception {
        assertThat(outcome(0, "OutOfMemoryError: Container killed due to memory usage", "EssentialContainerExited",
                "Essential container in task exited")).isEqualTo(new ContainerRunner.Exited(0, LOG));
    }

    @Test
    void containerWithoutExitCodeNeverStartedAndTheTaskReasonSaysWhy() throws Exception {
        assertThat(outcome(null, null, "TaskFailedToStart",
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes"))
                .isEqualTo(new ContainerRunner.FailedToStart(
                        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes", LOG));
    }

    @Test
    void apiShapedTaskInCamelCaseReadsTheSame() throws Exception {
        JsonNode camel = StepInputs.JSON.readTree("""
                {"taskArn":"%s","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited",
                 "containers":[{"name":"sidecar","exitCode":0},{"name":"job","exitCode":3}]}
                """.formatted(StepInputs.TASK_ARN));
        assertThat(EcsRunOutcome.of(StoppedTask.from(camel).orElseThrow(), LOG)).isEqualTo(new ContainerRunner.Exited(3, LOG));
    }

    @Test
    void objectWithoutATaskArnIsNotATask() throws Exception {
        assertThat(StoppedTask.from(StepInputs.JSON.readTree("{\"errorMessage\":\"boom\"}"))).isEmpty();
    }

    @Test
    void logStreamIsNamedAfterPrefixContainerAndTaskId() {
        assertThat(AwsJobNames.runLogStream(StepInputs.TASK_ARN)).isEqualTo("job/job/" + StepInputs.TASK_ID);
    }
}
