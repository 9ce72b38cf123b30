package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import java.util.Map;

/** The CleanUp state: {jobId} → {"cleanedUp": true}, or an error naming every part that could not be removed. */
public class CleanUpHandler extends WorkflowStep {
    private final JobCleanUp cleanUp;

    /** For Lambda: ECS, EFS and ECR, built once per container. */
    public CleanUpHandler() {
        this(WorkflowRuntime.cleanUp());
    }

    public CleanUpHandler(JobCleanUp cleanUp) {
        this.cleanUp = cleanUp;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        cleanUp.run(id);
        return output("cleanedUp", true);
    }
}
