package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle;
import java.util.Map;

/** The Begin state: {jobId} → {"proceed": bool}. QUEUED → BUILDING; a job cancelled or deleted meanwhile stops. */
public class BeginHandler extends WorkflowStep {
    private final JobLifecycle lifecycle;

    /** For Lambda: the lifecycle over DynamoDB and S3, built once per container. */
    public BeginHandler() {
        this(WorkflowRuntime.lifecycle());
    }

    public BeginHandler(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        return output("proceed", lifecycle.begin(id).proceed());
    }
}
