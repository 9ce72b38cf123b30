package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.ecs.EcsRunOutcome;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.StoppedTask;
import io.perfbox.adapter.aws.logs.RunLogs;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobWorkspace;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How a run the state machine ran on ECS is recorded, for {@link RecordRunHandler} and for the run-stage failures
 * {@link RecordFailureHandler} is handed: the stopped task with its CloudWatch log becomes a run outcome for
 * {@link JobLifecycle#ran}. The run's limit is the task's run clock (runTimeout, counted from the job container's
 * start); RunTask's own timer (runStartTimeout more) firing means the task did not start in time, after which the
 * job's tasks are stopped.
 */
public record RunRecorder(JobLifecycle lifecycle, JobTasks tasks, RunLogs runLogs, Duration runTimeout,
                          Duration runStartTimeout) {
    /** As the local runner keeps. */
    static final int RUN_LOG_MAX_BYTES = 1024 * 1024;

    /** Whether a state's error is the run itself ending badly (recorded as the run) rather than perfbox failing. */
    static boolean isRunOutcome(StepError error) {
        return error.timedOut() || error.causeJson().flatMap(StoppedTask::from).isPresent();
    }

    /**
     * task: runTask.sync's output; error: what its Catch caught; result: read-result's answer (read only when the
     * container exited 0). ENDED when this call ended the job.
     */
    Next record(JobId id, Optional<JsonNode> task, Optional<StepError> error, Optional<JsonNode> result) {
        ContainerRunner.RunOutcome ran;
        if (error.isPresent()) {
            StepError e = error.get();
            if (e.timedOut()) {
                // The run clock stops a task that ran its time; the state's timer allows the start on top. When that
                // timer fires, the task did not get its container started in time (provisioning, the image pull):
                // the customer's run never ran too long, so this is perfbox's side, not RUN_TIMEOUT. (The platform
                // branch may give this its own code, PLATFORM_FAILURE.)
                tasks.stopAll(id, "perfbox: the task did not start in time");
                return lifecycle.fail(id, StepOutcomes.internal("the run's task did not start in time: RunTask's timer ("
                        + runStartTimeout.toSeconds() + " s to start, plus the run timeout of " + runTimeout.toSeconds()
                        + " s) fired before the task's run clock stopped it"));
            } else {
                Optional<StoppedTask> stoppedTask = e.causeJson().flatMap(StoppedTask::from);
                if (stoppedTask.isEmpty()) {
                    // ECS refused or could not place the task (capacity, permissions, a bad parameter): perfbox's side.
                    return lifecycle.fail(id, StepOutcomes.internal("the run could not be started: " + e.describe()));
                }
                ran = outcomeOf(stoppedTask.get());
            }
        } else if (task.isPresent()) {
            ran = outcomeOf(StoppedTask.from(task.get())
                    .orElseThrow(() -> new IllegalArgumentException("record-run's task is not an ECS task description")));
        } else {
            throw new IllegalArgumentException("record-run needs the run's task or its error");
        }
        Supplier<JobWorkspace.ResultFile> resultFile = () -> ResultFileJson.fromJson(result.orElseThrow(
                () -> new IllegalArgumentException("record-run needs the result of read-result when the container exited 0")));
        return lifecycle.ran(id, ran, resultFile);
    }

    private ContainerRunner.RunOutcome outcomeOf(StoppedTask task) {
        return EcsRunOutcome.of(task, runLogs.read(task.taskArn(), RUN_LOG_MAX_BYTES), runTimeout);
    }
}
