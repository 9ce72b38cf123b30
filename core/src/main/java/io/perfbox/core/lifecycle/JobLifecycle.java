package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobWorkspace;
import java.io.Serial;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one job lifecycle, for every runtime: each status transition, the scan gate, the mapping of step outcomes to
 * failures ({@link StepOutcomes}), and the races with cancel and delete are written here once.
 *
 * <p>Runtimes drive it. Locally, one thread ({@link JobPipeline}) does the work of each step and reports it here, in
 * order. On AWS, the state machine does the work and one small handler per state reports it to the same step.
 *
 * <p>Every status change is a conditional write, so a job cancelled or deleted meanwhile is never overwritten. Every
 * step may be repeated (a workflow retries a step whose answer was lost): a repeat finds the job already moved on
 * and changes nothing. A repeat of a step that let the job go on answers PROCEED again; a repeat of a step that
 * ended the job answers STOPPED (the job has ended; nothing follows either way). Each answers with a {@link Next}:
 * go on, the job ended here, or stop because the job is gone or moved on without this call (cancelled, ended by an
 * earlier call, deleted).
 */
public final class JobLifecycle {
    private static final int MAX_CONFLICT_RETRIES = 5;

    private final JobStore jobs;
    private final JobArtifactStore artifacts;
    private final VulnerabilityPolicy policy;
    private final long runMemoryLimitBytes;
    private final JobResources resources;
    private final Clock clock;

    /**
     * runMemoryLimitBytes: the memory a run may use, named when a run is killed for exceeding it. resources: released
     * before a terminal status is written ({@link JobResources#RELEASED_ELSEWHERE} when the runtime does it itself).
     */
    public JobLifecycle(JobStore jobs, JobArtifactStore artifacts, VulnerabilityPolicy policy, long runMemoryLimitBytes,
                        JobResources resources, Clock clock) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.runMemoryLimitBytes = runMemoryLimitBytes;
        this.resources = Objects.requireNonNull(resources, "resources");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What the driver does after a step. */
    public enum Next {
        /** Go on to the next step. */
        PROCEED,
        /** This step ended the job (its resources were released first); nothing follows. */
        ENDED,
        /** The job is gone, or moved on without this driver (cancelled, ended by an earlier try): stop quietly. */
        STOPPED;

        public boolean proceed() {
            return this == PROCEED;
        }
    }

    /** What scanning the built image came to. */
    public sealed interface ScanResult permits Scanned, ScanFailed, ScannerUnavailable {
    }

    /** The scanner's report: the policy decides whether the image runs. */
    public record Scanned(ScanReport report) implements ScanResult {
        public Scanned {
            Objects.requireNonNull(report, "report");
        }
    }

    /** The scanner ran but left no usable report: the image never runs. */
    public record ScanFailed(String reason) implements ScanResult {
    }

    /** No scanner could be found or started: the image never runs. */
    public record ScannerUnavailable(String reason) implements ScanResult {
    }

    /** How a workflow that carried the job ended, when it ended abnormally. */
    public enum WorkflowEnd { ABORTED, TIMED_OUT, FAILED }

    /** The job's stored status moved on (cancelled, ended, deleted): nothing more is recorded. */
    private static final class Superseded extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        Superseded() {
            super(null, null, false, false);
        }
    }

    // ---- the steps, in order ----

    /** QUEUED → BUILDING. A job already BUILDING is this step repeated: PROCEED again. */
    public Next begin(JobId id) {
        return begin(id, true);
    }

    /**
     * begin for a driver that never repeats a step (the local {@link JobPipeline}): PROCEED only when this call moved
     * the job from QUEUED. A job already BUILDING is another driver's, which this one must neither build again nor
     * release the resources of.
     */
    Next start(JobId id) {
        return begin(id, false);
    }

    /** The job's owner (its tenant); empty when the job is gone. */
    String owner(JobId id) {
        return jobs.find(id).map(Job::owner).orElse("");
    }

    /**
     * The job's runs as stored (how many were asked for, which completed); one run when the job is gone. For a driver
     * that names a run in a failure it records itself (the AWS workflow's platform failures), as {@link #ran} names
     * the run's own.
     */
    public Runs runs(JobId id) {
        return jobs.find(id).map(Job::runs).orElse(Runs.SINGLE);
    }

    /** How many runs the job asks for (1 when the job is gone: the driver then stops at its first report). */
    int runsRequested(JobId id) {
        return jobs.find(id).map(j -> j.runs().requested()).orElse(Runs.DEFAULT);
    }

    private Next begin(JobId id, boolean mayBeARepeat) {
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return Next.STOPPED;
        }
        Job job = found.get();
        if (job.status() == JobStatus.QUEUED
                && jobs.update(job.advancedTo(JobStatus.BUILDING, clock.instant()), EnumSet.of(JobStatus.QUEUED))) {
            return Next.PROCEED;
        }
        if (!mayBeARepeat) {
            return Next.STOPPED;
        }
        return jobs.find(id).map(j -> j.status() == JobStatus.BUILDING).orElse(false) ? Next.PROCEED : Next.STOPPED;
    }

    /**
     * BUILDING: saves the build log; an image that did not build ends the job with the failure its outcome maps to;
     * a built image moves the job to SCANNING. A job already SCANNING or RUNNING is this step repeated: PROCEED.
     */
    public Next built(JobId id, ImageBuilder.BuildOutcome outcome) {
        return built(id, outcome, false);
    }

    /** As above; {@code logStored}: the build's output was stored as it was produced, so its log is left as it is. */
    Next built(JobId id, ImageBuilder.BuildOutcome outcome, boolean logStored) {
        Objects.requireNonNull(outcome, "outcome");
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return Next.STOPPED;
        }
        Job job = found.get();
        if (job.status() == JobStatus.SCANNING || job.status() == JobStatus.RUNNING) {
            return Next.PROCEED;
        }
        if (job.status() != JobStatus.BUILDING) {
            return Next.STOPPED;
        }
        return guarded(id, () -> {
            if (!logStored) {
                artifacts.saveLog(id, LogKind.BUILD, outcome.log());
            }
            Optional<Failure> failure = StepOutcomes.failureOf(id, outcome);
            if (failure.isPresent()) {
                end(job, failure.get());
                return Next.ENDED;
            }
            advance(outcome instanceof ImageBuilder.Built b ? job.withReceipt(b.receipt()) : job, JobStatus.SCANNING);
            return Next.PROCEED;
        });
    }

    /**
     * SCANNING: saves the report and applies the policy (the scan gate): a passing image moves the job to RUNNING; a
     * blocked one ends it VULNERABLE (or MISCONFIGURED, when only misconfigurations block it); no usable scan ends it SCANNER_UNAVAILABLE. A job already RUNNING is this step
     * repeated: PROCEED.
     */
    public Next scanned(JobId id, ScanResult result) {
        Objects.requireNonNull(result, "result");
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return Next.STOPPED;
        }
        Job job = found.get();
        if (job.status() == JobStatus.RUNNING) {
            return Next.PROCEED;
        }
        if (job.status() != JobStatus.SCANNING) {
            return Next.STOPPED;
        }
        return guarded(id, () -> switch (result) {
            case ScannerUnavailable u -> {
                end(job, StepOutcomes.scannerUnavailable(u.reason()));
                yield Next.ENDED;
            }
            case ScanFailed f -> {
                end(job, StepOutcomes.scanFailed(f.reason()));
                yield Next.ENDED;
            }
            case Scanned s -> {
                // Saved with the thresholds it is judged by, so a reader of the report knows what blocked and why.
                ScanReport judged = s.report().judgedBy(policy.gate());
                artifacts.saveScanReport(id, judged);
                VulnerabilityPolicy.Decision decision = policy.evaluate(judged);
                Job counted = job.withVulnerabilities(decision.counts(), clock.instant()).withReceipt(s.report().receipt());
                Optional<Failure> vulnerable = StepOutcomes.failureOf(policy, decision);
                if (vulnerable.isPresent()) {
                    end(counted, vulnerable.get());
                    yield Next.ENDED;
                }
                advance(counted, JobStatus.RUNNING);
                yield Next.PROCEED;
            }
        });
    }

    /** Whether the policy lets an image with this report run (for a builder whose own gate must agree with ours). */
    public boolean passes(ScanReport report) {
        return policy.evaluate(report).passed();
    }

    /**
     * RUNNING: saves the run log and ends the job: SUCCEEDED with the performance the result file holds, or FAILED.
     * result is read only when the container exited 0. ENDED when this call ended the job; STOPPED when the job was
     * not RUNNING (gone, cancelled, or already ended by an earlier try of this step). For a job of several runs this
     * reports the run due next (see {@link #ran(JobId, int, Duration, ContainerRunner.RunOutcome, Supplier, RunReceipt)}).
     */
    public Next ran(JobId id, ContainerRunner.RunOutcome outcome, Supplier<JobWorkspace.ResultFile> result) {
        return ran(id, outcome, result, false);
    }

    /**
     * As above; {@code conditions}: the receipt's part the run reports (its limits, CPUs, runtime, host; null when
     * the driver does not know them), recorded with the job's end.
     */
    public Next ran(JobId id, ContainerRunner.RunOutcome outcome, Supplier<JobWorkspace.ResultFile> result,
                    RunReceipt conditions) {
        return ran(id, outcome, result, false, conditions);
    }

    /** As above; {@code logStored}: the run's output was stored as it was produced, so its log is left as it is. */
    Next ran(JobId id, ContainerRunner.RunOutcome outcome, Supplier<JobWorkspace.ResultFile> result, boolean logStored) {
        return ran(id, outcome, result, logStored, null);
    }

    /** As above; {@code conditions}: the receipt's part the run reports (its limits, runtime, host), or null. */
    Next ran(JobId id, ContainerRunner.RunOutcome outcome, Supplier<JobWorkspace.ResultFile> result, boolean logStored,
             RunReceipt conditions) {
        return ran(id, NEXT_RUN, null, outcome, result, logStored, conditions);
    }

    /**
     * RUNNING, run {@code run} of the job's {@link Runs#requested()} (1 for the first) ended after {@code took} (null
     * when unknown). A run that failed (its outcome, or a result that is missing or invalid) ends the job FAILED with
     * that failure, prefixed "run k of n: " when the job has several runs; a run with a value is recorded: PROCEED when
     * more runs are due (the driver runs the image again, on a fresh /data), ENDED (SUCCEEDED with the median) after
     * the last. A repeat of a run already recorded changes nothing and answers PROCEED; STOPPED when the job is not
     * RUNNING (gone, cancelled, ended by an earlier try).
     */
    public Next ran(JobId id, int run, Duration took, ContainerRunner.RunOutcome outcome,
                    Supplier<JobWorkspace.ResultFile> result, RunReceipt conditions) {
        return ran(id, run, took, outcome, result, false, conditions);
    }

    /** {@code run} for "the run due next": for a driver that does not count runs (a job of one run). */
    static final int NEXT_RUN = 0;

    /** As above; {@code logStored}: the run's output was stored as it was produced, so its log is left as it is. */
    Next ran(JobId id, int run, Duration took, ContainerRunner.RunOutcome outcome,
             Supplier<JobWorkspace.ResultFile> result, boolean logStored, RunReceipt conditions) {
        Objects.requireNonNull(outcome, "outcome");
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty() || found.get().status() != JobStatus.RUNNING) {
            return Next.STOPPED;
        }
        Runs runs = found.get().runs();
        int number = run == NEXT_RUN ? runs.next() : run;
        if (number < runs.next()) {
            // This run is recorded and the job still RUNNING: a repeat of a step that let it go on.
            return Next.PROCEED;
        }
        if (number != runs.next()) {
            throw new IllegalArgumentException("job " + id + ": run " + number + " reported while "
                    + runs.label(runs.next()) + " is due");
        }
        // Messages name the run only when there are several, so a job of one run says what it always said.
        String which = runs.requested() > 1 ? runs.label(number) + ": " : "";
        Job running = found.get().withReceipt(conditions);
        Job job = StepOutcomes.warningOf(outcome, runMemoryLimitBytes)
                .map(w -> running.withWarning(which + w, clock.instant())).orElse(running);
        return guarded(id, () -> {
            if (!logStored) {
                artifacts.saveLog(id, LogKind.RUN, outcome.log());
            }
            Optional<Failure> runFailure = StepOutcomes.failureOf(outcome, runMemoryLimitBytes);
            if (runFailure.isPresent()) {
                end(job, StepOutcomes.ofRun(which, runFailure.get()));
                return Next.ENDED;
            }
            switch (StepOutcomes.collect(result.get())) {
                case StepOutcomes.Rejected r -> {
                    end(job, StepOutcomes.ofRun(which, r.failure()));
                    return Next.ENDED;
                }
                case StepOutcomes.Measured m -> {
                    Optional<Failure> inconsistent = StepOutcomes.metricsDiffer(runs, number, m.metrics());
                    if (inconsistent.isPresent()) {
                        end(job, StepOutcomes.ofRun(which, inconsistent.get()));
                        return Next.ENDED;
                    }
                    Job recorded = job.withRun(new Runs.Run(number, m.performance(), m.metrics(), took), clock.instant());
                    if (recorded.runs().complete()) {
                        finish(job, recorded.succeededOverRuns(clock.instant()));
                        return Next.ENDED;
                    }
                    write(job, recorded);
                    return Next.PROCEED;
                }
            }
        });
    }

    // ---- endings from outside the steps ----

    /** Ends the job FAILED whatever active status it is in (a step's own error, perfbox's fault). */
    public Next fail(JobId id, Failure failure) {
        Objects.requireNonNull(failure, "failure");
        return failIfActive(id, current -> failure);
    }

    /** perfbox stopped (shutdown, crash) while the job was under way: it ends FAILED/INTERRUPTED. */
    public Next interrupted(JobId id) {
        return failIfActive(id, current -> Failure.of(FailureCode.INTERRUPTED,
                "perfbox stopped while the job was " + current.status() + "; submit it again"));
    }

    /**
     * The workflow ended without ending the job (stopped by hand, timed out, failed in a way its own catch did not
     * handle): a job still active ends FAILED; an ended job (also a CANCELLED one) stays as it is.
     */
    public Next workflowEnded(JobId id, WorkflowEnd how) {
        Objects.requireNonNull(how, "how");
        return failIfActive(id, current -> switch (how) {
            case ABORTED -> Failure.of(FailureCode.INTERRUPTED, "The job's workflow was stopped while the job was "
                    + current.status() + "; submit it again");
            case TIMED_OUT -> StepOutcomes.internal("the job's workflow timed out while the job was " + current.status());
            case FAILED -> StepOutcomes.internal("the job's workflow failed while the job was " + current.status());
        });
    }

    /**
     * A reconciler found the job active while its workflow had ended (or no longer exists) without recording an
     * outcome: a job still active ends FAILED/INTERNAL, saying so; an ended one stays as it is. {@code workflowState}
     * is how the workflow stands, e.g. "ended FAILED" or "no longer exists".
     */
    public Next endedWithoutOutcome(JobId id, String workflowState) {
        Objects.requireNonNull(workflowState, "workflowState");
        // INTERNAL, not PLATFORM_FAILURE: a workflow that ends without recording an outcome is perfbox's own defect,
        // not the platform's doing and not the job's.
        return failIfActive(id, current -> StepOutcomes.internal("the job's workflow " + workflowState
                + " without recording an outcome while the job was " + current.status() + "; submit it again"));
    }

    // ---- how ---

    private interface Step {
        Next run() throws Superseded;
    }

    /** Runs a step's writes; a write that loses to a concurrent change means the job moved on without us. */
    private Next guarded(JobId id, Step step) {
        try {
            return step.run();
        } catch (Superseded e) {
            dropArtifactsIfDeleted(id);
            return Next.STOPPED;
        }
    }

    private Next failIfActive(JobId id, Function<Job, Failure> failure) {
        boolean released = false;
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Optional<Job> now = jobs.find(id);
            if (now.isEmpty() || now.get().status().isTerminal()) {
                dropArtifactsIfDeleted(id);
                return Next.STOPPED;
            }
            Job current = now.get();
            if (!released) {
                resources.releaseQuietly(id);
                released = true;
            }
            if (jobs.update(current.failed(failure.apply(current), clock.instant()), EnumSet.of(current.status()))) {
                return Next.ENDED;
            }
        }
        return Next.STOPPED;
    }

    private void advance(Job job, JobStatus next) throws Superseded {
        write(job, job.advancedTo(next, clock.instant()));
    }

    private void end(Job job, Failure failure) throws Superseded {
        finish(job, job.failed(failure, clock.instant()));
    }

    /** Releases the job's resources, then records its terminal status. */
    private void finish(Job from, Job terminal) throws Superseded {
        resources.releaseQuietly(from.id());
        write(from, terminal);
    }

    private void write(Job from, Job to) throws Superseded {
        if (!jobs.update(to, EnumSet.of(from.status()))) {
            throw new Superseded();
        }
    }


    /** A job deleted while a step ran: drop what the step saved after the delete removed the rest. */
    private void dropArtifactsIfDeleted(JobId id) {
        if (jobs.find(id).isEmpty()) {
            artifacts.deleteAll(id);
        }
    }
}
