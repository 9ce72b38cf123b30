package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.JobId;

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
}
