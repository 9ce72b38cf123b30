package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.StepOutcomes;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Catch of every state: {jobId, stage, error} → {"recorded": bool}. A run that timed out or whose container
 * failed is recorded as the run it was, with its log; a build that timed out (the state's timeout or CodeBuild's)
 * ends BUILD_TIMEOUT; anything else is perfbox's own failure (INTERNAL), naming the stage and the error.
 */
public class RecordFailureHandler extends WorkflowStep {
    private final RunRecorder runs;

    /** For Lambda: the lifecycle, ECS and CloudWatch Logs, built once per container. */
    public RecordFailureHandler() {
        this(WorkflowRuntime.runRecorder());
    }

    public RecordFailureHandler(RunRecorder runs) {
        this.runs = runs;
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        String stage = in.text("stage").orElse("unknown");
        Optional<StepError> error = in.error();
        String normalised = stage.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        boolean runStage = normalised.equals("run") || normalised.equals("runtask");
        if (runStage && error.isPresent() && RunRecorder.isRunOutcome(error.get())) {
            return recorded(runs.record(id, Optional.empty(), error, Optional.empty()));
        }
        Failure failure;
        if (error.isEmpty()) {
            failure = StepOutcomes.internal("the " + stage + " step failed");
        } else if ((normalised.equals("build") || normalised.equals("buildandscan")) && codeBuildTimedOut(error.get())) {
            failure = StepOutcomes.buildTimedOut((String) null);
        } else if (error.get().timedOut()) {
            // The state's own timer: it is set past CodeBuild's queue and build limits, so the build never ran too
            // long; CodeBuild (or the integration) did not answer. perfbox's side, not the customer's.
            failure = StepOutcomes.internal("the " + stage + " step did not finish in time");
        } else {
            failure = StepOutcomes.internal("the " + stage + " step failed: " + error.get().describe());
        }
        return recorded(runs.lifecycle().fail(id, failure));
    }

    private static Map<String, Object> recorded(Next next) {
        return output("recorded", next == Next.ENDED);
    }

    /** CodeBuild's own timeout: its build, in the Cause, ended TIMED_OUT. */
    private static boolean codeBuildTimedOut(StepError error) {
        return error.causeJson()
                .map(cause -> AwsJson.field(cause, "Build").orElse(cause))
                .flatMap(build -> AwsJson.text(build, "BuildStatus"))
                .map("TIMED_OUT"::equals)
                .orElse(false);
    }
}
