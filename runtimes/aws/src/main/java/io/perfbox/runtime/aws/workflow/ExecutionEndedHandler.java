package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.JobLifecycle.WorkflowEnd;
import java.util.Map;

/**
 * The execution ended ABORTED, TIMED_OUT or FAILED (an EventBridge rule calls this): {jobId, status} →
 * {"recorded": bool}. Cleans up what the run used, then ends a job the execution left active.
 */
public class ExecutionEndedHandler extends WorkflowStep {
    private final JobLifecycle lifecycle;
    private final JobCleanUp cleanUp;

    /** For Lambda: the lifecycle, ECS, EFS and ECR, built once per container. */
    public ExecutionEndedHandler() {
        this(WorkflowRuntime.lifecycle(), WorkflowRuntime.cleanUp());
    }

    public ExecutionEndedHandler(JobLifecycle lifecycle, JobCleanUp cleanUp) {
        this.lifecycle = lifecycle;
        this.cleanUp = cleanUp;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        String status = in.required("status");
        WorkflowEnd how = switch (status) {
            case "ABORTED" -> WorkflowEnd.ABORTED;
            case "TIMED_OUT" -> WorkflowEnd.TIMED_OUT;
            case "FAILED" -> WorkflowEnd.FAILED;
            default -> throw new IllegalArgumentException("execution-ended expects ABORTED, TIMED_OUT or FAILED, not '"
                    + AwsJson.shortened(status, 40) + "'");
        };
        RuntimeException cleanUpFailed = null;
        try {
            cleanUp.run(id);
        } catch (RuntimeException e) {
            cleanUpFailed = e;
        }
        // Recorded even when clean-up failed: a job left active forever is worse than a resource left behind.
        Next next = lifecycle.workflowEnded(id, how);
        if (cleanUpFailed != null) {
            throw cleanUpFailed;
        }
        return output("recorded", next == Next.ENDED);
    }
}
