package io.perfbox.adapter.aws.ecs;

import io.perfbox.core.domain.JobId;
import java.util.List;

/** The job's containers: the ECS tasks the workflow started with startedBy = job id. */
public interface JobTasks {

    /**
     * Stops every task of the job that is still running. Returns the ARNs of all the job's tasks ECS still lists:
     * those it stopped now first, then those that had stopped before; empty when there are none.
     */
    List<String> stopAll(JobId id, String reason);
}
