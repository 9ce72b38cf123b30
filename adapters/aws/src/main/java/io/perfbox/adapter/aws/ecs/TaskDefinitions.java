package io.perfbox.adapter.aws.ecs;

import io.perfbox.core.domain.JobId;

/** The job's own task definition: its image, its limits and its volume at /data, nothing shared with other jobs. */
public interface TaskDefinitions {

    /**
     * Registers a revision of the job's family running imageUri as the job's own task role, with /data on the job's
     * access point; its ARN.
     */
    String register(JobId id, String imageUri, String accessPointId, String taskRoleArn);

    /** Deregisters and deletes every revision of the job's family; none left is fine. */
    void removeAll(JobId id);
}
