package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJson;

import io.perfbox.adapter.aws.ecs.StoppedTask.StoppedContainer;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;
import java.util.Optional;

/** How a stopped ECS task maps onto the run outcomes both runtimes share. */
public final class EcsRunOutcome {
    /** ECS's container reason when the kernel killed the container for memory. */
    static final String OUT_OF_MEMORY = "OutOfMemoryError";
    /** The exit code of a container killed by SIGKILL, as ECS reports an OOM kill. */
    private static final int KILLED = 137;

    private EcsRunOutcome() {
    }

    /**
     * runTimeout: what the run clock slept, the run time reported when the task's times are missing. A clock that
     * expired decides before the job container's own exit: ECS stopped that container (SIGTERM, then SIGKILL), so its
     * exit code is the stop's, not the job's.
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
