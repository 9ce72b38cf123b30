package io.perfbox.adapter.aws.iam;

import io.perfbox.core.domain.JobId;
import java.util.List;

/**
 * The job's own task role: the one credential its container holds, good for mounting the job's own access point and
 * nothing else.
 */
public interface JobRoles {

    /**
     * Creates the job's role (or takes the one an earlier try created), allowed to mount and write the job file system
     * only through {@code accessPointId}; returns its ARN once it may be handed to a task.
     */
    String create(JobId id, String accessPointId);

    /** Deletes the job's role and its policy; none is fine. */
    void delete(JobId id);

    /** The jobs that have a role (every role under the job path), for sweeping roles that outlived their job. */
    List<JobId> list();
}
