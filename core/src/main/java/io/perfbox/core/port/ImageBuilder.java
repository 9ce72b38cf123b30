package io.perfbox.core.port;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.time.Duration;
import java.util.List;

/** Builds a job's image from its Dockerfile alone (no other build context). */
public interface ImageBuilder {

    /**
     * Blocks until the build ends or the timeout passes; interruption stops the build and rethrows. {@code tenant}:
     * whose build cache the build may reuse; builds of different tenants never share a cached step (a shared cache
     * would tell one tenant what another built).
     */
    default BuildOutcome build(JobId id, String tenant, Dockerfile dockerfile, Duration timeout) throws InterruptedException {
        return build(id, tenant, dockerfile, timeout, LogSink.NONE);
    }

    /**
     * As above, the build's output also written to {@code output} as it is produced (the outcome's log is the same
     * output, bounded).
     */
    BuildOutcome build(JobId id, String tenant, Dockerfile dockerfile, Duration timeout, LogSink output)
            throws InterruptedException;

    /** Removes the job's image if it exists; never throws for a missing image. */
    void remove(JobId id);

    sealed interface BuildOutcome permits Built, BuildFailed, InvalidDockerfile, BuildTimedOut, ImageTooLarge, BuilderError {
        CapturedLog log();
    }

    /**
     * imageDigest: the built image's id ({@code sha256:...}); baseImages: the FROM images the build resolved, with
     * their digests. Either may be unknown (null, empty) for a builder that does not report it; they go into the
     * job's receipt.
     */
    record Built(String imageRef, CapturedLog log, String imageDigest, List<RunReceipt.BaseImage> baseImages)
            implements BuildOutcome {
        public Built {
            baseImages = baseImages == null ? List.of() : List.copyOf(baseImages);
        }

        public Built(String imageRef, CapturedLog log) {
            this(imageRef, log, null, List.of());
        }

        /** The receipt's part this build reports. */
        public RunReceipt receipt() {
            return RunReceipt.built(imageDigest, baseImages);
        }
    }

    /**
     * reason: the builder's own error, short enough to show as the failure message (one line); step: the Dockerfile
     * instruction that failed and the end of its output, when the builder could tell (null otherwise).
     */
    record BuildFailed(String reason, CapturedLog log, FailedStep step) implements BuildOutcome {
        public BuildFailed(String reason, CapturedLog log) {
            this(reason, log, null);
        }
    }

    /**
     * The instruction a build failed at: {@code line}, its first line in the customer's Dockerfile (1-based; line
     * continuations counted as the lines they are); {@code lastOutput}, the last lines the step printed (at most
     * {@link #MAX_OUTPUT_LINES}, oldest first, as printed: tenant-controlled, escaped where they are shown).
     */
    record FailedStep(int line, List<String> lastOutput) {
        public static final int MAX_OUTPUT_LINES = 20;

        public FailedStep {
            if (line < 1) {
                throw new IllegalArgumentException("line must be at least 1");
            }
            lastOutput = lastOutput == null ? List.of() : List.copyOf(lastOutput.subList(
                    Math.max(0, lastOutput.size() - MAX_OUTPUT_LINES), lastOutput.size()));
        }
    }

    /** The builder rejected the Dockerfile itself (a syntax error, an unknown instruction) before building. */
    record InvalidDockerfile(String reason, CapturedLog log) implements BuildOutcome {
    }

    /**
     * after: the limit that passed; null when the build ran elsewhere and reported only that it timed out, in
     * detail (may be null).
     */
    record BuildTimedOut(Duration after, String detail, CapturedLog log) implements BuildOutcome {
        public BuildTimedOut(Duration after, CapturedLog log) {
            this(after, null, log);
        }
    }

    /**
     * The image built but is larger than the builder's limit; the builder has already removed it. A builder that
     * ran elsewhere may report the sizes in words only: then detail says it and the sizes are -1.
     */
    record ImageTooLarge(long sizeBytes, long limitBytes, String detail, CapturedLog log) implements BuildOutcome {
        public ImageTooLarge {
            if (detail == null && (sizeBytes <= limitBytes || limitBytes < 0)) {
                throw new IllegalArgumentException("an image of " + sizeBytes + " bytes is not over a limit of " + limitBytes);
            }
        }

        public ImageTooLarge(long sizeBytes, long limitBytes, CapturedLog log) {
            this(sizeBytes, limitBytes, null, log);
        }

        public static ImageTooLarge reported(String detail, CapturedLog log) {
            return new ImageTooLarge(-1, -1, detail == null || detail.isBlank() ? "over the size limit" : detail, log);
        }
    }

    /** The builder itself failed (perfbox's side, not the Dockerfile's): the job ends INTERNAL. */
    record BuilderError(String reason, CapturedLog log) implements BuildOutcome {
    }
}
