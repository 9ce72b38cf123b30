package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.JobId;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a job holds while it is under way (its image, container, workspace). {@link JobLifecycle} releases them
 * before it writes a terminal status, so a client that sees a job ended finds them already gone. Idempotent; never
 * throws for something already gone.
 */
@FunctionalInterface
public interface JobResources {
    /** For a runtime whose workflow releases them in states of its own, after the job has ended (AWS). */
    JobResources RELEASED_ELSEWHERE = id -> {
    };

    void release(JobId id);

    /**
     * Releases even on an interrupted thread (a cancelled job's clean-up must still run; the flag is kept for the
     * caller), and logs what could not be released instead of throwing: the job's status matters more.
     */
    default void releaseQuietly(JobId id) {
        boolean interrupted = Thread.interrupted();
        try {
            release(id);
        } catch (RuntimeException e) {
            Logger.getLogger(JobResources.class.getName())
                    .log(Level.WARNING, "could not release everything job " + id + " held", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
