package io.perfbox.adapter.aws.efs;

import io.perfbox.core.domain.JobId;

/** The job's entry to the shared file system: an access point whose root is the job's own directory. */
public interface AccessPoints {

    /** Creates the job's access point (or finds the one an earlier try created); its id. */
    String create(JobId id);

    /** Deletes the job's access point; none is fine. The directory and its files stay (the workspace discards them). */
    void delete(JobId id);
}
