package io.perfbox.core.port;

import io.perfbox.core.domain.JobId;

/** Starts a stored job's pipeline without waiting for it, and stops what a cancelled job started. */
public interface PipelineLauncher {

    void start(JobId id);

    /** Stops the build or container of the job if any is under way; returns once it is stopped or gone. */
    void stop(JobId id);
}
