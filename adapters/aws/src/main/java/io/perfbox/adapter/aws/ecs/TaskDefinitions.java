package io.perfbox.adapter.aws.ecs;

import io.perfbox.core.domain.JobId;

/** The job's own task definition: its image, its limits and its volume at /data, nothing shared with other jobs. */
public interface TaskDefinitions {

    /** Registers a revision of the job's family running imageUri, with its own empty /data and no task role; its ARN. */
    String register(JobId id, String imageUri);

    /** Deregisters and deletes every revision of the job's family; none left is fine. */
    void removeAll(JobId id);
}
