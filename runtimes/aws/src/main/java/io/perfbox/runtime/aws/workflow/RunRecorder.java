package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.ecs.EcsRunOutcome;
import io.perfbox.adapter.aws.ecs.JobTasks;
import io.perfbox.adapter.aws.ecs.StoppedTask;
import io.perfbox.adapter.aws.logs.CollectorRecord;
import io.perfbox.adapter.aws.logs.RunLogs;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobWorkspace;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * How a run the state machine ran on ECS is recorded, for {@link RecordRunHandler} and for the run-stage failures
 * {@link RecordFailureHandler} is handed: the stopped task with its CloudWatch log becomes a run outcome for
 * {@link JobLifecycle#ran}. The run's limit is the task's run clock (runTimeout, counted from the job container's
 * start); RunTask's own timer (runStartTimeout more) firing means the task did not start in time, after which the
 * job's tasks are stopped. storedLogs: where the lifecycle stores the run log, read back to join a job's runs into one
 * log ({@link RepeatedRunLog}).
 */
public record RunRecorder(JobLifecycle lifecycle, JobTasks tasks, RunLogs runLogs, Duration runTimeout,
                          Duration runStartTimeout, Duration collectorLogPatience, RunReceipt.Limits taskLimits,
                          JobArtifactStore storedLogs) {
    private static final Logger LOG = Logger.getLogger(RunRecorder.class.getName());
    /** As the local runner keeps. */
    static final int RUN_LOG_MAX_BYTES = 1024 * 1024;
    /**
     * How long the collector's record may take to be readable in CloudWatch Logs after the task stopped. awslogs sends
     * a container's last lines when it exits, but what PutLogEvents accepted is not at once visible to GetLogEvents.
     */
    public static final Duration COLLECTOR_LOG_PATIENCE = Duration.ofSeconds(30);
    /** How often the collector's stream is read again while its record is not complete. */
    static final Duration COLLECTOR_LOG_POLL = Duration.ofSeconds(2);

    /** Whether a state's error is the run itself ending badly (recorded as the run) rather than perfbox failing. */
    static boolean isRunOutcome(StepError error) {
        return error.timedOut() || error.causeJson().flatMap(StoppedTask::from).isPresent();
    }

    /**
     * The platform's reason when the run failed through the platform (RunTask's capacity errors after its Retry, a
     * task the platform could not start, a host lost, a task that did not start in time); empty when the run's
     * outcome is the customer's or perfbox's. RunTask's own timer is never the customer's RUN_TIMEOUT: the task's run
     * clock stops a run that used its time, and the timer allows the start on top, so its firing means the task's
     * container was not started in time (provisioning or the image pull, sized for the largest image allowed).
     */
    Optional<String> platformFailure(StepError error) {
        if (error.timedOut()) {
            return Optional.of("the task did not start in time: RunTask's timer (" + runStartTimeout.toSeconds()
                    + " s to start, plus the run timeout of " + runTimeout.toSeconds()
                    + " s) fired before the task's run clock stopped it");
        }
        Optional<StoppedTask> task = error.causeJson().flatMap(StoppedTask::from);
        if (task.isPresent()) {
            return EcsRunOutcome.platformFailure(task.get());
        }
        if (EcsRunOutcome.RUN_TASK_PLATFORM_ERRORS.contains(error.error())) {
            return Optional.of("ECS could not run the task (" + error.describe() + ")");
        }
        return Optional.empty();
    }

    /**
     * A failed run's Catch output: another attempt when the platform failed it and the policy has one left (the
     * job's tasks are stopped first, so no earlier attempt is left running), else the run recorded; a platform
     * failure on the last attempt ends PLATFORM_FAILURE naming the reason and the attempts.
     */
    Map<String, Object> recordFailed(JobId id, StepError error, Attempts attempts) {
        return recordFailed(id, DUE, error, attempts);
    }

    /**
     * As above for run {@code run} of the job (1 for the first; {@link #DUE}: the run due next). Each run has its own
     * attempts: the state machine starts every run at attempt 1.
     */
    Map<String, Object> recordFailed(JobId id, int run, StepError error, Attempts attempts) {
        Optional<String> platform = platformFailure(error);
        if (platform.isPresent() && attempts.anotherLeft()) {
            LOG.warning(() -> "job " + id + ": run attempt " + attempts.attempt() + " of " + attempts.maxAttempts()
                    + " failed through the platform, trying again in " + attempts.waitSeconds() + " s: " + platform.get());
            tasks.stopAll(id, "perfbox: the run is retried on a new task");
            return attempts.retryOutput();
        }
        Next next = record(id, run, Optional.empty(), Optional.of(error), attempts);
        return WorkflowStep.output("recorded", next == Next.ENDED, "retry", false);
    }

    /** {@code run} for "the run due next", for a caller that does not count runs (the Fail step's run stage). */
    static final int DUE = 0;

    /**
     * task: runTask.sync's output; error: what its Catch caught. The result file is the collector's record, read
     * from its log stream only when the container exited 0. ENDED when this call ended the job.
     */
    Next record(JobId id, Optional<JsonNode> task, Optional<StepError> error) {
        return record(id, DUE, task, error, Attempts.ONLY);
    }

    /**
     * As above for run {@code run} of the job's runs (1 for the first, the state machine's count; {@link #DUE}: the
     * run due next): PROCEED when the lifecycle recorded it and more runs are due (the state machine then runs a new
     * task, with a /data of its own), ENDED after the last or a failed run. A repeat of a run already recorded (Step
     * Functions retrying RecordRun) records nothing again and answers PROCEED, as the lifecycle does.
     */
    Next record(JobId id, int run, Optional<JsonNode> task, Optional<StepError> error) {
        return record(id, run, task, error, Attempts.ONLY);
    }

    private Next record(JobId id, int run, Optional<JsonNode> task, Optional<StepError> error, Attempts attempts) {
        if (run < DUE) {
            throw new IllegalArgumentException("record-run's run must be 1 or more, not " + run);
        }
        ContainerRunner.RunOutcome ran;
        StoppedTask stopped;
        if (error.isPresent()) {
            StepError e = error.get();
            Optional<String> platform = platformFailure(e);
            if (platform.isPresent()) {
                // Stopped, or never started: nothing of this attempt may go on running after the job ended.
                tasks.stopAll(id, "perfbox: the run failed through the platform");
                return lifecycle.fail(id, StepOutcomes.ofRun(which(id, run),
                        StepOutcomes.platformFailure(platform.get(), attempts.attempt())));
            }
            // (A timeout is the platform's, above.)
            Optional<StoppedTask> stoppedTask = e.causeJson().flatMap(StoppedTask::from);
            if (stoppedTask.isEmpty()) {
                // ECS refused the task (permissions, a bad parameter): perfbox's side.
                return lifecycle.fail(id, StepOutcomes.ofRun(which(id, run),
                        StepOutcomes.internal("the run could not be started: " + e.describe())));
            }
            stopped = stoppedTask.get();
        } else if (task.isPresent()) {
            stopped = StoppedTask.from(task.get())
                    .orElseThrow(() -> new IllegalArgumentException("record-run's task is not an ECS task description"));
        } else {
            throw new IllegalArgumentException("record-run needs the run's task or its error");
        }
        Runs runs = lifecycle.runs(id);
        ran = RepeatedRunLog.joined(id, runs, run == DUE ? runs.next() : run,
                outcomeOf(stopped, RepeatedRunLog.bytesPerRun(runs, RUN_LOG_MAX_BYTES)), storedLogs);
        if (run == DUE) {
            return lifecycle.ran(id, ran, () -> collected(stopped), conditions(stopped));
        }
        // How long it ran: the task's RUNNING to STOPPING, what its run clock measured (null when ECS did not say).
        return lifecycle.ran(id, run, stopped.runTime().orElse(null), ran, () -> collected(stopped),
                conditions(stopped));
    }

    /**
     * How a failure of run {@code run} is named, as the lifecycle names a run's own failures: "run k of n: " when
     * the job has several runs, nothing for a job of one.
     */
    private String which(JobId id, int run) {
        Runs runs = lifecycle.runs(id);
        if (runs.requested() <= 1) {
            return "";
        }
        return runs.label(run == DUE ? runs.next() : run) + ": ";
    }

    /** The receipt's part of a run on Fargate, as the stopped task tells it ({@link StoppedTask#receipt}). */
    RunReceipt conditions(StoppedTask task) {
        return task.receipt(taskLimits);
    }

    /**
     * The result file as the task's collector recorded it on its own stream, read again while the record is not
     * complete, for at most {@link #collectorLogPatience}. A collector that did not run to its end left no record.
     */
    private JobWorkspace.ResultFile collected(StoppedTask task) {
        if (!task.collected()) {
            throw new IllegalStateException("the task's collector did not run to its end, so /data/perf.json was not read");
        }
        long deadline = System.nanoTime() + collectorLogPatience.toNanos();
        while (true) {
            Optional<JobWorkspace.ResultFile> record = CollectorRecord.parse(runLogs.collectorLines(task.taskArn()));
            if (record.isPresent()) {
                return record.get();
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("the collector's record of /data/perf.json is not complete in its log "
                        + "stream after " + collectorLogPatience.toSeconds() + " s");
            }
            try {
                Thread.sleep(Math.min(COLLECTOR_LOG_POLL.toMillis(), Math.max(1, collectorLogPatience.toMillis() / 10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the collector's record", e);
            }
        }
    }

    private ContainerRunner.RunOutcome outcomeOf(StoppedTask task, int logBytes) {
        return EcsRunOutcome.of(task, runLogs.read(task.taskArn(), logBytes), runTimeout);
    }
}
