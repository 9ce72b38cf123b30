package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import java.util.Map;

/**
 * The RecordRun state: {jobId, task, result} after runTask.sync and read-result, or {jobId, error} from the run's
 * Catch → {"recorded": bool}: the run's outcome, log and result end the job ({@link RunRecorder}).
 */
public class RecordRunHandler extends WorkflowStep {
    private final RunRecorder runs;

    /** For Lambda: the lifecycle, ECS and CloudWatch Logs, built once per container. */
    public RecordRunHandler() {
        this(WorkflowRuntime.runRecorder());
    }

    public RecordRunHandler(RunRecorder runs) {
        this.runs = runs;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        return output("recorded", runs.record(id, in.field("task"), in.error(), in.field("result")) == Next.ENDED);
    }
}
