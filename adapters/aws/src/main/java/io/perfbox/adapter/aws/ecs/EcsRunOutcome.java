package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJson;

import io.perfbox.adapter.aws.ecs.StoppedTask.StoppedContainer;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a stopped ECS task maps onto the run outcomes both runtimes share, and which stopped tasks (and RunTask
 * errors) are the platform's failure rather than the customer's, by the stop codes and stopped-task errors ECS
 * documents.
 */
public final class EcsRunOutcome {
    /** ECS's container reason when the kernel killed the container for memory. */
    static final String OUT_OF_MEMORY = "OutOfMemoryError";
    /** The exit code of a container killed by SIGKILL, as ECS reports an OOM kill. */
    private static final int KILLED = 137;

    /**
     * The task's host was taken away (Spot reclaimed, the host retired or replaced, the infrastructure unhealthy):
     * whatever the container did. InfrastructureHealth is one of ECS's TaskStopCode values in the current SDK models
     * (the AWS SDK for Python v4's ECS TaskStopCode enum); a task stopped with it was stopped for its infrastructure,
     * not for anything the job did.
     */
    static final Set<String> HOST_LOST = Set.of("SpotInterruption", "TerminationNotice", "ServiceSchedulerInitiated",
            "InfrastructureHealth");
    static final String FAILED_TO_START = "TaskFailedToStart";
    /**
     * ECS's stopped-task errors for a task the platform could not set up: its network, volumes or secrets
     * (ResourceInitializationError), our own image in our registry (CannotPullContainerError), the container runtime.
     * CannotStartContainerError is not among them: that is the image's entrypoint or command failing to start.
     */
    static final List<String> PLATFORM_START_ERRORS = List.of("ResourceInitializationError", "CannotPullContainerError",
            "CannotCreateContainerError", "CannotCreateVolumeError", "CannotInspectContainerError",
            "ContainerRuntimeError", "ContainerRuntimeTimeoutError", "InternalError");
    /** A pull refused because the image was built for another architecture: the Dockerfile's choice. */
    private static final String WRONG_PLATFORM = "does not contain descriptor matching platform";
    /**
     * RunTask's own errors, once its Retry gave up, that mean no capacity, no ENI or throttling (the Step Functions
     * ECS integration reports these as AmazonECS.Unknown, or ECS.AmazonECSException).
     */
    public static final List<String> RUN_TASK_PLATFORM_ERRORS = List.of("AmazonECS.Unknown", "ECS.AmazonECSException");

    private EcsRunOutcome() {
    }

    /**
     * The platform's reason when the task stopped through the platform's failure (its host lost, or it could not be
     * started for reasons of the platform's); empty when the run's outcome is the customer's to own.
     */
    public static Optional<String> platformFailure(StoppedTask task) {
        String stopCode = task.stopCode() == null ? "" : task.stopCode();
        if (HOST_LOST.contains(stopCode)) {
            return Optional.of("the task's host was lost (" + stopCode + reasonSuffix(task.stoppedReason()) + ")");
        }
        Optional<String> helper = failedHelper(task);
        if (helper.isPresent()) {
            return helper;
        }
        Optional<StoppedContainer> container = task.jobContainer();
        if (container.map(StoppedContainer::exitCode).isPresent()) {
            return Optional.empty();
        }
        String reason = container.map(StoppedContainer::reason).filter(r -> !r.isBlank())
                .orElse(task.stoppedReason() == null ? "" : task.stoppedReason());
        boolean platformError = PLATFORM_START_ERRORS.stream().anyMatch(reason::startsWith);
        if (FAILED_TO_START.equals(stopCode) && platformError && !reason.contains(WRONG_PLATFORM)) {
            return Optional.of("the platform could not start the task (" + AwsJson.shortened(reason, 400) + ")");
        }
        return Optional.empty();
    }

    /**
     * A helper of perfbox's own that exited non-zero (data-init could not prepare /data, the collector could not write
     * its record, the clock was given a bad argument): the platform's failure, never the job's. Each exits 0 whenever
     * it did its work or ECS stopped it (infra-cdk/task-helpers).
     */
    private static Optional<String> failedHelper(StoppedTask task) {
        for (String name : StoppedTask.HELPERS) {
            Optional<StoppedContainer> helper = task.helper(name).filter(c -> c.exitCode() != null && c.exitCode() != 0);
            if (helper.isPresent()) {
                return Optional.of("the task's " + name + " helper exited " + helper.get().exitCode()
                        + reasonSuffix(helper.get().reason()));
            }
        }
        return Optional.empty();
    }

    private static String reasonSuffix(String reason) {
        return reason == null || reason.isBlank() ? "" : ": " + AwsJson.shortened(reason, 300);
    }

    /**
     * runTimeout: what the run clock slept, the run time reported when the task's times are missing. A clock that
     * stopped the task decides before the job container's own exit: ECS stopped that container (SIGTERM, then
     * SIGKILL), so its exit code is the stop's, not the job's.
     */
    public static ContainerRunner.RunOutcome of(StoppedTask task, CapturedLog log, Duration runTimeout) {
        if (task.runClockExpired()) {
            return new ContainerRunner.TimedOut(task.runTime().orElse(runTimeout), log);
        }
        Optional<StoppedContainer> container = task.jobContainer();
        String reason = container.map(StoppedContainer::reason).orElse(null);
        Integer exitCode = container.map(StoppedContainer::exitCode).orElse(null);
        // As the local runner: an OOM kill counts when the container did not exit 0 anyway.
        if (reason != null && reason.startsWith(OUT_OF_MEMORY) && (exitCode == null || exitCode != 0)) {
            return new ContainerRunner.OutOfMemory(exitCode == null ? KILLED : exitCode, log);
        }
        if (exitCode != null) {
            return new ContainerRunner.Exited(exitCode, log);
        }
        // No exit code: the container never ran (image pull, volume mount, resource initialisation failed).
        return new ContainerRunner.FailedToStart(whyNotStarted(task, reason), log);
    }

    private static String whyNotStarted(StoppedTask task, String containerReason) {
        if (containerReason != null && !containerReason.isBlank()) {
            return AwsJson.shortened(containerReason, 500);
        }
        if (task.stoppedReason() != null && !task.stoppedReason().isBlank()) {
            return AwsJson.shortened(task.stoppedReason(), 500);
        }
        return "the task stopped (" + (task.stopCode() == null ? "no stop code" : task.stopCode())
                + ") before its container ran";
    }
}
