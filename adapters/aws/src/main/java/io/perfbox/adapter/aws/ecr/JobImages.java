package io.perfbox.adapter.aws.ecr;

import io.perfbox.core.domain.JobId;

/** The job's image in the registry. */
public interface JobImages {

    /** Deletes the job's image tag; none is fine. */
    void delete(JobId id);
}
