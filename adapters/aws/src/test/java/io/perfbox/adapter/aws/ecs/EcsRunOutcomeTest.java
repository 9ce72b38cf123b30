package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.testing.aws.RecordedPayloads;
import io.perfbox.testing.aws.StepInputs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    // ---- the run clock and the collector: the task's essential helpers ----

    @ParameterizedTest
    @ValueSource(ints = {143, 137, 0})
    void runClockThatExitedExpiredIsARunTimeoutMeasuredFromStartedAtWhateverTheStoppedJobExitedWith(int jobExit)
            throws Exception {
        StoppedTask task = parse(StepInputs.runClockExpiredTask(id, jobExit, 900_412));

        assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(task.runTime()).contains(Duration.ofMillis(900_412));
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT))
                .isEqualTo(new ContainerRunner.TimedOut(Duration.ofMillis(900_412), LOG));
    }

    @Test
    void jobThatExitedByItselfFirstIsItsExitEvenWithTheRunClockListedFirst() throws Exception {
        // ECS stopped the clock with the task: its init passed SIGTERM on, and it exited 0 (TaskHelpersImageIT).
        String containers = StepInputs.runClock(0) + "," + StepInputs.helper(StepInputs.COLLECTOR_CONTAINER, 0) + ","
                + StepInputs.container(id, 3, null) + "," + StepInputs.helper(StepInputs.DATA_INIT_CONTAINER, 0);
        StoppedTask task = parse(StepInputs.task(id, containers, "EssentialContainerExited",
                "Essential container in task exited"));

        assertThat(task.jobContainer()).map(StoppedTask.StoppedContainer::name).contains("job");
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isEqualTo(new ContainerRunner.Exited(3, LOG));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 143, 137, 1})
    void runClockStoppedWithTheTaskIsNeverARunTimeoutWhateverItExitedWith(int clockExit) throws Exception {
        // The collector ran (exit 0): the job's container ended by itself, whatever the clock exited with (0 on
        // SIGTERM; 143/137 a kill; 1 a fault, which platformFailure names).
        StoppedTask task = parse(StepInputs.task(id, StepInputs.containers(StepInputs.container(id, 0, null), clockExit),
                "EssentialContainerExited", "Essential container in task exited"));

        assertThat(task.runClockExpired()).isFalse();
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isEqualTo(new ContainerRunner.Exited(0, LOG));
    }

    @Test
    void taskStoppedByStopTaskWhileTheJobRanIsNotARunTimeout() throws Exception {
        StoppedTask task = parse(StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, 143, null),
                        Map.of(StepInputs.COLLECTOR_CONTAINER, Optional.empty())),
                "UserInitiated", "perfbox: the job's workflow ended"));

        assertThat(task.runClockExpired()).isFalse();
        assertThat(EcsRunOutcome.of(task, LOG, RUN_TIMEOUT)).isEqualTo(new ContainerRunner.Exited(143, LOG));
    }

    @ParameterizedTest
    @ValueSource(strings = {StepInputs.DATA_INIT_CONTAINER, StepInputs.COLLECTOR_CONTAINER, StepInputs.RUN_CLOCK_CONTAINER})
    void helperThatExitedNonZeroIsThePlatformsFailureNeverTheJobs(String helper) throws Exception {
        StoppedTask task = parse(StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, 0, null),
                        Map.of(helper, Optional.of(1))),
                "EssentialContainerExited", "Essential container in task exited"));

        assertThat(EcsRunOutcome.platformFailure(task)).hasValueSatisfying(reason ->
                assertThat(reason).contains(helper).contains("exited 1"));
    }

    @Test
    void dataInitThatFailedLeavesTheJobUnstartedAndIsThePlatformsFailure() throws Exception {
        StoppedTask task = parse(StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, null, null),
                        Map.of(StepInputs.DATA_INIT_CONTAINER, Optional.of(1), StepInputs.RUN_CLOCK_CONTAINER,
                                Optional.empty(), StepInputs.COLLECTOR_CONTAINER, Optional.of(0))),
                "EssentialContainerExited", "Essential container in task exited"));

        assertThat(EcsRunOutcome.platformFailure(task)).hasValueSatisfying(reason ->
                assertThat(reason).contains("data-init"));
    }

    @Test
    void jobKilledForMemoryBesideTheStoppedRunClockIsOutOfMemory() throws Exception {
        StoppedTask task = parse(StepInputs.JSON.readTree(StepInputs.outOfMemoryError(id)).get("Cause").asText());
        assertThat(task.containers()).hasSize(StepInputs.JOB_TASK_CONTAINERS.size());
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
                 "containers":[{"name":"job","exitCode":137},{"name":"run-clock","exitCode":0},{"name":"collector"}]}
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

    // ---- the platform's failures, by ECS's documented stop codes and stopped-task errors ----

    private Optional<String> platform(Integer exitCode, String reason, String stopCode, String stoppedReason)
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
        for (String stopCode : List.of("SpotInterruption", "TerminationNotice", "ServiceSchedulerInitiated")) {
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

    // ---- one rule per stop code ECS has (RecordedPayloads.TASK_STOP_CODES) ----

    /**
     * Which stop codes mean the task's host was taken away, the platform's doing whatever the job's container exited
     * with: Spot's two (SpotInterruption, and TerminationNotice with the reason the ECS Developer Guide's Fargate Spot
     * example gives), the scheduler's own stop (ServiceSchedulerInitiated) and the infrastructure's health
     * (InfrastructureHealth, in the current SDK models; no source here shows its StoppedReason, so the Spot reason is
     * used). The others are the job's own end, our stop, or a start failure judged by its reason (below).
     */
    @ParameterizedTest
    @ValueSource(strings = {"EssentialContainerExited", "InfrastructureHealth",
            "ServiceSchedulerInitiated", "SpotInterruption", "TaskFailedToStart", "TerminationNotice", "UserInitiated"})
    void everyStopCodeEcsHasIsEitherAHostLostOrNot(String stopCode) throws Exception {
        assertThat(RecordedPayloads.TASK_STOP_CODES).contains(stopCode);
        boolean hostLost = Set.of("InfrastructureHealth", "ServiceSchedulerInitiated", "SpotInterruption",
                "TerminationNotice").contains(stopCode);
        var platform = EcsRunOutcome.platformFailure(parse(StepInputs.task(id,
                StepInputs.containers(StepInputs.container(id, 143, null), 0), stopCode,
                RecordedPayloads.REASON_SPOT_INTERRUPTED)));
        assertThat(platform.isPresent()).as(stopCode).isEqualTo(hostLost);
        platform.ifPresent(reason -> assertThat(reason).contains("host was lost", stopCode));
    }

    @Test
    void theDocumentedSpotTerminationNoticeIsAHostLostNamingItsReason() throws Exception {
        assertThat(platform(137, null, RecordedPayloads.STOP_TERMINATION_NOTICE,
                RecordedPayloads.REASON_SPOT_INTERRUPTED))
                .hasValueSatisfying(r -> assertThat(r).contains("TerminationNotice", "Your Spot Task was interrupted."));
    }

    @Test
    void aTaskThatFailedToStartIsThePlatformsOnlyForThePlatformsStartErrors() throws Exception {
        for (String error : EcsRunOutcome.PLATFORM_START_ERRORS) {
            String reason = error + ": as ECS reported it";
            String task = StepInputs.task(id, StepInputs.containers(StepInputs.container(id, null, reason), null),
                    RecordedPayloads.STOP_FAILED_TO_START, reason);
            assertThat(EcsRunOutcome.platformFailure(parse(task))).as(error).isPresent();
            // The same reason with another stop code (the job's own exit) is not a start failure.
            String exited = StepInputs.task(id, StepInputs.containers(StepInputs.container(id, 1, reason), 0),
                    RecordedPayloads.STOP_ESSENTIAL_EXITED, reason);
            assertThat(EcsRunOutcome.platformFailure(parse(exited))).as(error).isEmpty();
        }
    }
}
