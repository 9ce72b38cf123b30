package io.perfbox.adapter.aws;

import io.perfbox.core.domain.JobId;

/**
 * The global cap on jobs in flight, as the clean-ups see it: what a job's workflow took (a slot, or its place in the
 * queue) is given back once the job's builds and tasks are stopped. Idempotent.
 */
public interface JobAdmissions {
    /** No cap: nothing is ever taken. */
    JobAdmissions NONE = id -> { };

    void release(JobId id);
}
