package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;

/**
 * Runs a job's image isolated: no network, no capabilities, no new privileges, pids/memory/CPU limits,
 * and the job's own workspace mounted at /data (nothing else of the host).
 */
public interface ContainerRunner {

    /** Blocks until the container exits or the timeout passes; interruption kills the container and rethrows. */
    default RunOutcome run(JobId id, String imageRef, RunLimits limits) throws InterruptedException {
        return run(id, imageRef, limits, LogSink.NONE);
    }

    /** As above, the container's output also written to {@code output} while it runs. */
    RunOutcome run(JobId id, String imageRef, RunLimits limits, LogSink output) throws InterruptedException;

    /**
     * The conditions the job's run had (its limits, CPUs, container runtime, the host's CPU model and kernel), for
     * the job's receipt; asked after {@link #run} returns and before {@link #remove}. This default knows only the
     * limits; a runner that knows more says so. Never throws: what it cannot tell is left out.
     */
    default RunReceipt conditions(JobId id, RunLimits limits) {
        return RunReceipt.ran(limits.receipt(), null, null, null, null);
    }

    /** Removes the job's container if one is left; never throws for a missing one. */
    void remove(JobId id);

    /**
     * {@code dataBytes}: the most the run may store under /data; {@code writableLayerBytes}: the most it may write to
     * its container's own file system (the image's layers not counted). A run that stores more ends
     * {@link DiskLimitExceeded}.
     */
    record RunLimits(long memoryBytes, double cpus, int pids, Duration timeout, long dataBytes, long writableLayerBytes) {
        public static final long DEFAULT_DATA_BYTES = 1024L * 1024 * 1024;
        public static final long DEFAULT_WRITABLE_LAYER_BYTES = 10L * 1024 * 1024 * 1024;

        /** With the default disk limits (1 GiB for /data, 10 GiB for the writable layer). */
        public RunLimits(long memoryBytes, double cpus, int pids, Duration timeout) {
            this(memoryBytes, cpus, pids, timeout, DEFAULT_DATA_BYTES, DEFAULT_WRITABLE_LAYER_BYTES);
        }

        /** These limits as the receipt names them. */
        public RunReceipt.Limits receipt() {
            return new RunReceipt.Limits(memoryBytes, cpus, pids, timeout.toSeconds(), dataBytes, writableLayerBytes);
        }

        public RunLimits {
            if (dataBytes < 1024 * 1024 || writableLayerBytes < 1024 * 1024) {
                throw new IllegalArgumentException("disk limits must be at least 1 MiB");
            }
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

    sealed interface RunOutcome permits Exited, TimedOut, OutOfMemory, DiskLimitExceeded, FailedToStart {
        CapturedLog log();
    }

    /**
     * The container's main process exited by itself. {@code oomKilled}: the engine killed a process of the container
     * for memory on the way (the main process may still have exited 0 with a result).
     */
    record Exited(int exitCode, CapturedLog log, boolean oomKilled) implements RunOutcome {
        public Exited(int exitCode, CapturedLog log) {
            this(exitCode, log, false);
        }
    }

    record TimedOut(Duration after, CapturedLog log) implements RunOutcome {
    }

    record OutOfMemory(int exitCode, CapturedLog log) implements RunOutcome {
    }

    /** The run stored more than a disk limit allows and was killed. */
    record DiskLimitExceeded(DiskArea area, long limitBytes, CapturedLog log) implements RunOutcome {
    }

    enum DiskArea {
        /** The job's /data. */
        DATA,
        /** The container's own file system, above the image. */
        WRITABLE_LAYER
    }

    record FailedToStart(String reason, CapturedLog log) implements RunOutcome {
    }
}
