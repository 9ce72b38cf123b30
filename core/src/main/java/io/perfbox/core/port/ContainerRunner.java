package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;

/**
 * Runs a job's image isolated: no network, no capabilities, no new privileges, pids/memory/CPU limits,
 * and the job's own workspace mounted at /data (nothing else of the host).
 */
public interface ContainerRunner {

    /** Blocks until the container exits or the timeout passes; interruption kills the container and rethrows. */
    RunOutcome run(JobId id, String imageRef, RunLimits limits) throws InterruptedException;

    /** Removes the job's container if one is left; never throws for a missing one. */
    void remove(JobId id);

    record RunLimits(long memoryBytes, double cpus, int pids, Duration timeout) {
        public RunLimits {
            if (memoryBytes < 6 * 1024 * 1024) {
                throw new IllegalArgumentException("memory limit must be at least 6 MiB");
            }
            if (!(cpus > 0)) {
                throw new IllegalArgumentException("cpus must be positive");
            }
            if (pids < 1) {
                throw new IllegalArgumentException("pids limit must be at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("run timeout must be positive");
            }
        }
    }

    sealed interface RunOutcome permits Exited, TimedOut, OutOfMemory, FailedToStart {
        CapturedLog log();
    }

    record Exited(int exitCode, CapturedLog log) implements RunOutcome {
    }

    record TimedOut(Duration after, CapturedLog log) implements RunOutcome {
    }

    record OutOfMemory(int exitCode, CapturedLog log) implements RunOutcome {
    }

    record FailedToStart(String reason, CapturedLog log) implements RunOutcome {
    }
}
