package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.testing.aws.StepInputs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EcsRunOutcomeTest {
    private static final CapturedLog LOG = new CapturedLog("out", false);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);
    private final JobId id = JobId.random();

    private static StoppedTask parse(String json) throws Exception {
        return StoppedTask.from(StepInputs.JSON.readTree(json)).orElseThrow();
    }

    private ContainerRunner.RunOutcome outcome(Integer exitCode, String reason, String stopCode, String stoppedReason)
            throws Exception {
        return EcsRunOutcome.of(parse(StepInputs.task(id, StepInputs.container(id, exitCode, reason), stopCode,
                stoppedReason)), LOG, RUN_TIMEOUT);
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
        assertThat(EcsRunOutcome.of(StoppedTask.from(camel).orElseThrow(), LOG, RUN_TIMEOUT))
                .isEqualTo(new ContainerRunner.Exited(3, LOG));
    }

    // ---- the run clock: the task's second essential container ----

    @ParameterizedTest
    @ValueSource(ints = {143, 137, 0})
    void runClockThatExitedZeroIsARunTimeoutMeasuredFromStartedAtWhateverTheStoppedJobExitedWith(int jobExit)
            throws Exception {
        StoppedTask task = parse(StepInputs.runClockExpiredTask(id, jobExit, 900_412));

        assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(task.runTime()).contains(Duration.ofMillis(900_412));
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT))
                .isEqualTo(new ContainerRunner.TimedOut(Duration.ofMillis(900_412), LOG));
    }

    @Test
    void jobThatExitedByItselfFirstIsItsExitEvenWithTheRunClockListedFirst() throws Exception {
        // ECS stopped the clock with the task: its init passed SIGTERM on, so it exited 143, not 0.
        String containers = StepInputs.runClock(143) + "," + StepInputs.container(id, 3, null);
        StoppedTask task = parse(StepInputs.task(id, containers, "EssentialContainerExited",
                "Essential container in task exited"));

        assertThat(task.jobContainer()).map(StoppedTask.StoppedContainer::name).contains("job");
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isEqualTo(new ContainerRunner.Exited(3, LOG));
    }

    @Test
    void jobKilledForMemoryBesideTheStoppedRunClockIsOutOfMemory() throws Exception {
        StoppedTask task = parse(StepInputs.JSON.readTree(StepInputs.outOfMemoryError(id)).get("Cause").asText());
        assertThat(task.containers()).hasSize(2);
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isEqualTo(new ContainerRunner.OutOfMemory(137, LOG));
    }

    @Test
    void taskThatNeverStartedEitherContainerFailedToStart() throws Exception {
        StoppedTask task = parse(StepInputs.JSON.readTree(StepInputs.cannotPullError(id)).get("Cause").asText());
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isInstanceOf(ContainerRunner.FailedToStart.class);
    }

    @Test
    void runClockWithoutTheTasksTimesReportsTheRunTimeout() throws Exception {
        JsonNode camel = StepInputs.JSON.readTree("""
                {"taskArn":"%s","stopCode":"EssentialContainerExited",
                 "containers":[{"name":"job","exitCode":137},{"name":"run-clock","exitCode":0}]}
                """.formatted(StepInputs.TASK_ARN));
        assertThat(EcsRunOutcome.of(StoppedTask.from(camel).orElseThrow(), LOG, RUN_TIMEOUT))
                .isEqualTo(new ContainerRunner.TimedOut(RUN_TIMEOUT, LOG));
    }

    @Test
    void taskTimesAreReadAsEpochMillisecondsEpochSecondsOrIsoInstants() throws Exception {
        String arn = StepInputs.TASK_ARN;
        Instant started = Instant.parse("2026-03-01T12:00:01.554Z");
        for (String json : new String[] {
                "{\"TaskArn\":\"" + arn + "\",\"StartedAt\":1772366401554,\"StoppingAt\":1772367301554}",
                "{\"taskArn\":\"" + arn + "\",\"startedAt\":1772366401.554,\"stoppingAt\":1772367301.554}",
                "{\"taskArn\":\"" + arn + "\",\"startedAt\":\"2026-03-01T12:00:01.554Z\","
                        + "\"stoppingAt\":\"2026-03-01T12:15:01.554Z\"}"}) {
            StoppedTask task = parse(json);
            assertThat(task.startedAt()).as(json).isEqualTo(started);
            assertThat(task.runTime()).as(json).contains(Duration.ofMinutes(15));
        }
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
