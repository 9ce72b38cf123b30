package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import java.util.Map;
import java.util.Optional;

/**
 * The RecordRun state: {jobId, run, task} after runTask.sync → {"recorded": bool, "proceed": bool} (the result is
 * the collector's record on its log stream; {@code run} is the state machine's count of the job's runs, 1 for the
 * first): "proceed" when the run was recorded and more are due, so the state machine runs the image again on a new
 * task; "recorded" when this call ended the job (its last run, or a failed one). The RecordFailedRun state: {jobId,
 * run, error, retry} from the run's Catch → {"recorded": bool, "retry": bool, "waitSeconds" when retrying}: a
 * platform failure with an attempt left is tried again, anything else ends the job with the run's outcome and log
 * ({@link RunRecorder}), named "run k of n" when the job has several runs.
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
        int run = run(in);
        Optional<StepError> error = in.error();
        if (error.isPresent()) {
            return runs.recordFailed(id, run, error.get(), Attempts.from(in.field("retry")));
        }
        Next next = runs.record(id, run, in.field("task"), in.error());
        return output("recorded", next == Next.ENDED, "proceed", next == Next.PROCEED);
    }

    /** The run's number: a whole number from 1; the run due next when the input has none (a job of one run). */
    private static int run(Input in) {
        Optional<JsonNode> field = in.field("run").filter(f -> !f.isNull());
        if (field.isEmpty()) {
            return RunRecorder.DUE;
        }
        JsonNode n = field.get();
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            throw new IllegalArgumentException("record-run's \"run\" must be a whole number from 1, not " + n);
        }
        return n.asInt();
    }
}
