package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.adapter.aws.sfn.JobExecutions;
import io.perfbox.adapter.aws.sfn.JobExecutions.Execution;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.port.JobStore;
import io.perfbox.logging.JobLogContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the scheduled reconciler does ({@link ReconcileHandler}), in two parts, each part of each job attempted even
 * when another fails:
 * <ol>
 *   <li>Stale jobs. Each active job (the store's active index) is compared with its execution: one still running is
 *       left alone; one that ended more than the grace period ago without the job ending (every path of the state
 *       machine records an outcome, and the execution-ended rule ends the job after an abnormal end: both were lost)
 *       ends FAILED/INTERNAL through the lifecycle, saying so, and is cleaned up. A QUEUED job without an execution
 *       after the grace period is started (the execution's name, the job id, makes a start idempotent); a job past
 *       QUEUED without one (its history expired 90 days after it ended) ends like a stale one.</li>
 *   <li>Leaks. The jobs holding a per-job resource (each {@link JobResourceInventory}) are compared with the store:
 *       those of a job that ended more than the grace period ago, or of a job the store does not know, are removed
 *       through the job's {@link JobCleanUp}; an active job's, or one that ended only just now (its own clean-up may
 *       still be under way), are kept. A job unknown to the store holds nothing in use: a job is stored before
 *       anything of it is made, and deleted only once it has ended.</li>
 * </ol>
 */
public final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
    /** How long the workflow's own steps and the execution-ended rule get before the reconciler steps in. */
    public static final Duration GRACE = Duration.ofMinutes(30);

    private final JobStore jobs;
    private final JobLifecycle lifecycle;
    private final JobExecutions executions;
    private final JobCleanUp cleanUp;
    private final List<JobResourceInventory> inventories;
    private final Duration grace;
    private final Clock clock;

    public Reconciler(JobStore jobs, JobLifecycle lifecycle, JobExecutions executions, JobCleanUp cleanUp,
                      List<JobResourceInventory> inventories, Duration grace, Clock clock) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
        this.executions = Objects.requireNonNull(executions, "executions");
        this.cleanUp = Objects.requireNonNull(cleanUp, "cleanUp");
        this.inventories = List.copyOf(inventories);
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What one run did, and what it could not do (each problem names the job or the part). */
    public record Report(List<JobId> ended, List<JobId> started, List<JobId> swept, List<String> problems) {
        public Report {
            ended = List.copyOf(ended);
            started = List.copyOf(started);
            swept = List.copyOf(swept);
            problems = List.copyOf(problems);
        }
    }

    private final class Run {
        final List<JobId> ended = new ArrayList<>();
        final List<JobId> started = new ArrayList<>();
        final List<JobId> swept = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final Instant now = clock.instant();

        void attempt(JobId id, String what, Runnable part) {
            Runnable logged = () -> {
                try {
                    part.run();
                } catch (RuntimeException e) {
                    String problem = (id == null ? "" : "job " + id + ": ") + "could not " + what + ": " + e.getMessage();
                    LOG.log(Level.WARNING, problem, e);
                    problems.add(problem);
                }
            };
            if (id == null) {
                logged.run();
            } else {
                JobLogContext.with(id.value(), () -> {
                    logged.run();
                    return null;
                });
            }
        }

        boolean olderThanGrace(Instant t) {
            return t.plus(grace).isBefore(now);
        }
    }

    public Report run() {
        Run run = new Run();
        List<Job> active = new ArrayList<>();
        run.attempt(null, "list the active jobs", () -> active.addAll(jobs.findUnfinished()));
        for (Job job : active) {
            run.attempt(job.id(), "reconcile it with its execution", () -> reconcile(run, job));
        }
        Set<JobId> holders = new LinkedHashSet<>();
        for (JobResourceInventory inventory : inventories) {
            run.attempt(null, "list the jobs holding " + inventory.kind(), () -> holders.addAll(inventory.holders()));
        }
        for (JobId id : holders) {
            run.attempt(id, "sweep what it left", () -> sweepIfSettled(run, id));
        }
        return new Report(run.ended, run.started, run.swept, run.problems);
    }

    private void reconcile(Run run, Job job) {
        Optional<Execution> execution = executions.find(job.id());
        if (execution.isPresent() && execution.get().running()) {
            return;
        }
        if (execution.isEmpty()) {
            if (job.status() == JobStatus.QUEUED) {
                if (run.olderThanGrace(job.createdAt())) {
                    LOG.warning("job " + job.id() + ": QUEUED since " + job.createdAt() + " with no execution; starting it");
                    executions.start(job.id());
                    run.started.add(job.id());
                }
                return;
            }
            if (run.olderThanGrace(job.updatedAt())) {
                end(run, job, "no longer exists");
            }
            return;
        }
        // Ended, but the job did not: give the execution-ended rule (which ends the job and cleans up) its turn first.
        if (execution.get().stopped().map(run::olderThanGrace).orElse(true)) {
            end(run, job, "ended " + execution.get().status());
        }
    }

    private void end(Run run, Job job, String how) {
        LOG.warning("job " + job.id() + ": " + job.status() + " while its workflow " + how + "; ending it");
        if (lifecycle.endedWithoutOutcome(job.id(), how) == JobLifecycle.Next.ENDED) {
            run.ended.add(job.id());
        }
        cleanUp.run(job.id());
    }

    private void sweepIfSettled(Run run, JobId id) {
        Optional<Job> job = jobs.find(id);
        if (job.isPresent() && (!job.get().status().isTerminal() || !run.olderThanGrace(job.get().updatedAt()))) {
            return;
        }
        LOG.warning("job " + id + ": " + job.map(j -> "ended " + j.updatedAt()).orElse("unknown to the store")
                + ", still holding resources; sweeping them");
        cleanUp.run(id);
        run.swept.add(id);
    }
}
