package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import java.util.Map;
import java.util.Optional;

/**
 * The RecordRun state: {jobId, task} after runTask.sync → {"recorded": bool} (the result is the collector's record on
 * its log stream); the
 * RecordFailedRun state: {jobId, error, retry} from the run's Catch → {"recorded": bool, "retry": bool,
 * "waitSeconds" when retrying}: a platform failure with an attempt left is tried again, anything else ends the job
 * with the run's outcome and log ({@link RunRecorder}).
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
        Optional<StepError> error = in.error();
        if (error.isPresent()) {
            return runs.recordFailed(id, error.get(), Attempts.from(in.field("retry")));
        }
        return output("recorded", runs.record(id, in.field("task"), in.error()) == Next.ENDED);
    }
}
