package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobWorkspace;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Records the progress of a job whose steps run elsewhere (the AWS workflow builds, scans and runs it and reports
 * each step's outcome here). The job moves on by the same rules as in {@link JobPipeline} ({@link StepOutcomes}
 * decides), and every status change is a conditional write, so a job cancelled or deleted meanwhile is never
 * overwritten. Every call may be repeated: a workflow retries a step whose answer was lost.
 */
public class JobProgress {
    private final JobStore jobs;
    private final JobArtifactStore artifacts;
    private final VulnerabilityPolicy policy;
    private final long runMemoryLimitBytes;
    private final Clock clock;

    /** runMemoryLimitBytes: the memory a run may use, named when a run is killed for exceeding it. */
    public JobProgress(JobStore jobs, JobArtifactStore artifacts, VulnerabilityPolicy policy, long runMemoryLimitBytes,
                       Clock clock) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.runMemoryLimitBytes = runMemoryLimitBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What the build step produced, together with its scan. */
    public sealed interface BuildResult permits Scanned, ScanFailed, NotBuilt {
    }

    /** The image was built and scanned: the policy decides whether it runs. */
    public record Scanned(ScanReport report) implements BuildResult {
        public Scanned {
            Objects.requireNonNull(report, "report");
        }
    }

    /** The image was built but no usable scan report came of it: it never runs. */
    public record ScanFailed(String reason) implements BuildResult {
    }

    /** The image did not build; failure says why (see the build factories of {@link StepOutcomes}). */
    public record NotBuilt(Failure failure) implements BuildResult {
        public NotBuilt {
            Objects.requireNonNull(failure, "failure");
        }
    }

    /** How the workflow that carried the job ended when it ended abnormally. */
    public enum WorkflowEnd { ABORTED, TIMED_OUT, FAILED }

    /** The job's stored status moved on (cancelled, ended, deleted): nothing more is recorded. */
    private static final class Superseded extends Exception {
        Superseded() {
            super(null, null, false, false);
        }
    }

    /**
     * QUEUED → BUILDING. False when the workflow should stop here: the job is gone or has moved on (cancelled).
     * True also for a job already BUILDING: that is this begin repeated.
     */
    public boolean begin(JobId id) {
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return false;
        }
        Job job = found.get();
        if (job.status() == JobStatus.QUEUED && jobs.update(job.advancedTo(JobStatus.BUILDING, clock.instant()),
                EnumSet.of(JobStatus.QUEUED))) {
            return true;
        }
        return jobs.find(id).map(j -> j.status() == JobStatus.BUILDING).orElse(false);
    }

    /**
     * Saves the build log and the scan report, applies the vulnerability policy and moves the job through SCANNING
     * to RUNNING, or ends it FAILED. True when the image may run (also when this call is a repeat of one that
     * said so); false when the workflow should go no further.
     */
    public boolean afterBuild(JobId id, CapturedLog buildLog, BuildResult result) {
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return false;
        }
        Job job = found.get();
        if (job.status() == JobStatus.RUNNING) {
            return true;
        }
        if (job.status() != JobStatus.BUILDING && job.status() != JobStatus.SCANNING) {
            return false;
        }
        try {
            artifacts.saveLog(id, LogKind.BUILD, buildLog);
            switch (result) {
                case NotBuilt n -> {
                    end(job, n.failure());
                    return false;
                }
                case ScanFailed s -> {
                    end(scanning(job), StepOutcomes.scanFailed(s.reason()));
                    return false;
                }
                case Scanned s -> {
                    job = scanning(job);
                    artifacts.saveScanReport(id, s.report());
                    VulnerabilityPolicy.Decision decision = policy.evaluate(s.report());
                    job = job.withVulnerabilities(decision.counts(), clock.instant());
                    Optional<Failure> vulnerable = StepOutcomes.failureOf(policy, decision);
                    if (vulnerable.isPresent()) {
                        end(job, vulnerable.get());
                        return false;
                    }
                    advance(job, JobStatus.RUNNING);
                    return true;
                }
            }
        } catch (Superseded e) {
            dropArtifactsIfDeleted(id);
            return false;
        }
    }

    /**
     * Saves the run log and ends the job: SUCCEEDED with the performance the result file holds, or FAILED.
     * result is asked for only when the container exited 0. True when this call ended the job; false when the
     * job was not RUNNING (gone, cancelled, or already ended by an earlier try of this call).
     */
    public boolean afterRun(JobId id, ContainerRunner.RunOutcome ran, Supplier<JobWorkspace.ResultFile> result) {
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty() || found.get().status() != JobStatus.RUNNING) {
            return false;
        }
        Job job = found.get();
        try {
            artifacts.saveLog(id, LogKind.RUN, ran.log());
            Optional<Failure> runFailure = StepOutcomes.failureOf(ran, runMemoryLimitBytes);
            if (runFailure.isPresent()) {
                end(job, runFailure.get());
                return true;
            }
            switch (StepOutcomes.collect(result.get())) {
                case StepOutcomes.Measured m -> write(job, job.succeeded(m.performance(), clock.instant()));
                case StepOutcomes.Rejected r -> end(job, r.failure());
            }
            return true;
        } catch (Superseded e) {
            dropArtifactsIfDeleted(id);
            return false;
        }
    }

    /** Ends the job FAILED whatever active status it is in; true when this call ended it. */
    public boolean fail(JobId id, Failure failure) {
        boolean ended = failIfActive(jobs, clock, id, current -> failure);
        dropArtifactsIfDeleted(id);
        return ended;
    }

    /**
     * The workflow ended without ending the job (stopped by hand, timed out, failed in a way its own catch did not
     * handle): a job still active ends FAILED; an ended job (also a CANCELLED one) stays as it is.
     */
    public boolean workflowEnded(JobId id, WorkflowEnd how) {
        boolean ended = failIfActive(jobs, clock, id, current -> switch (how) {
            case ABORTED -> Failure.of(FailureCode.INTERRUPTED, "The job's workflow was stopped while the job was "
                    + current.status() + "; submit it again");
            case TIMED_OUT -> StepOutcomes.internal("the job's workflow timed out while the job was " + current.status());
            case FAILED -> StepOutcomes.internal("the job's workflow failed while the job was " + current.status());
        });
        dropArtifactsIfDeleted(id);
        return ended;
    }

    /**
     * Ends the job FAILED whatever active status it is in now, re-reading it when a concurrent change wins the
     * conditional write; the failure may depend on the status it ends from. True when this call ended it.
     */
    static boolean failIfActive(JobStore jobs, Clock clock, JobId id, Function<Job, Failure> failure) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Job> now = jobs.find(id);
            if (now.isEmpty() || now.get().status().isTerminal()) {
                return false;
            }
            Job current = now.get();
            if (jobs.update(current.failed(failure.apply(current), clock.instant()), EnumSet.of(current.status()))) {
                return true;
            }
        }
        return false;
    }

    /** The job in SCANNING: moved there from BUILDING, or already there after an earlier try of afterBuild. */
    private Job scanning(Job job) throws Superseded {
        return job.status() == JobStatus.SCANNING ? job : advance(job, JobStatus.SCANNING);
    }

    private Job advance(Job job, JobStatus next) throws Superseded {
        return write(job, job.advancedTo(next, clock.instant()));
    }

    private void end(Job job, Failure failure) throws Superseded {
        write(job, job.failed(failure, clock.instant()));
    }

    private Job write(Job from, Job to) throws Superseded {
        if (!jobs.update(to, EnumSet.of(from.status()))) {
            throw new Superseded();
        }
        return to;
    }

    /** A job deleted while a step ran: drop what the step saved after the delete removed the rest. */
    private void dropArtifactsIfDeleted(JobId id) {
        if (jobs.find(id).isEmpty()) {
            artifacts.deleteAll(id);
        }
    }
}
