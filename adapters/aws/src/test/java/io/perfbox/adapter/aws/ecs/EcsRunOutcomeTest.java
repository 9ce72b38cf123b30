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

    // ---- the platform's failures, by ECS's documented stop codes and stopped-task errors ----

    private java.util.Optional<String> platform(Integer exitCode, String reason, String stopCode, String stoppedReason)
            throws Exception {
        return EcsRunOutcome.platformFailure(parse(StepInputs.task(id, StepInputs.container(id, exitCode, reason),
                stopCode, stoppedReason)));
    }

    @Test
    void taskThePlatformCouldNotSetUpIsThePlatformsFailure() throws Exception {
        assertThat(platform(null, null, "TaskFailedToStart",
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes"))
                .hasValueSatisfying(r -> assertThat(r).contains("could not start", "ResourceInitializationError"));
        assertThat(platform(null, "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                + "failed to resolve ref: unexpected status code 503", "TaskFailedToStart",
                "CannotPullContainerError: pull image manifest has been retried 5 time(s)"))
                .hasValueSatisfying(r -> assertThat(r).contains("CannotPullContainerError", "503"));
    }

    @Test
    void taskWhoseHostWasLostIsThePlatformsFailureEvenWithAnExitCode() throws Exception {
        for (String stopCode : java.util.List.of("SpotInterruption", "TerminationNotice", "ServiceSchedulerInitiated")) {
            assertThat(platform(143, null, stopCode, "Your Spot Task was interrupted."))
                    .hasValueSatisfying(r -> assertThat(r).contains("host was lost", stopCode, "interrupted"));
        }
    }

    @Test
    void theCustomersOwnFailuresStayTheCustomers() throws Exception {
        assertThat(platform(3, null, "EssentialContainerExited", "Essential container in task exited")).isEmpty();
        assertThat(platform(137, "OutOfMemoryError: Container killed due to memory usage", "EssentialContainerExited",
                "Essential container in task exited")).isEmpty();
        // The entrypoint cannot start: the image's fault.
        String entrypoint = "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI "
                + "runtime create failed: exec: \"/run.sh\": stat /run.sh: no such file or directory";
        assertThat(platform(null, entrypoint, "TaskFailedToStart", entrypoint)).isEmpty();
        // An image built for another architecture: the Dockerfile's choice, although ECS names it a pull error.
        String arm = "CannotPullContainerError: pull image manifest has been retried 7 time(s): image Manifest does "
                + "not contain descriptor matching platform 'linux/amd64'";
        assertThat(platform(null, arm, "TaskFailedToStart", arm)).isEmpty();
        // Our own stop (a timeout, a cancel) is not a platform failure.
        assertThat(platform(null, null, "UserInitiated", "perfbox: the run exceeded its time limit")).isEmpty();
    }
}
