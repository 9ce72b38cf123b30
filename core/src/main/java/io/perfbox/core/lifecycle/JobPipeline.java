package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.VulnerabilityScanner;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes one QUEUED job through build → scan → run → collect, writing each status change conditionally,
 * so a job cancelled meanwhile is never overwritten. Cleans up the image, container and workspace whatever
 * happens. Interruption (cancel or shutdown) stops the current step.
 */
public class JobPipeline {
    private static final Logger LOG = Logger.getLogger(JobPipeline.class.getName());

    private final JobStore jobs;
    private final DockerfileStore dockerfiles;
    private final JobArtifactStore artifacts;
    private final ImageBuilder builder;
    private final VulnerabilityScanner scanner;
    private final ContainerRunner runner;
    private final JobWorkspace workspace;
    private final PipelineSettings settings;
    private final Clock clock;
    /** Jobs whose clean-up already ran before their terminal status was written. */
    private final Set<JobId> cleanedUp = ConcurrentHashMap.newKeySet();

    public JobPipeline(JobStore jobs, DockerfileStore dockerfiles, JobArtifactStore artifacts,
                       ImageBuilder builder, VulnerabilityScanner scanner, ContainerRunner runner,
                       JobWorkspace workspace, PipelineSettings settings, Clock clock) {
        this.jobs = jobs;
        this.dockerfiles = dockerfiles;
        this.artifacts = artifacts;
        this.builder = builder;
        this.scanner = scanner;
        this.runner = runner;
        this.workspace = workspace;
        this.settings = settings;
        this.clock = clock;
    }

    /** Signals that the job's stored status moved on (cancelled or removed); the pipeline stops quietly. */
    private static final class Superseded extends Exception {
        Superseded() {
            super(null, null, false, false);
        }
    }

    public void execute(JobId id) throws InterruptedException {
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty() || found.get().status() != JobStatus.QUEUED) {
            return;
        }
        Job job = found.get();
        try {
            job = advance(job, JobStatus.BUILDING);
            var dockerfile = dockerfiles.load(id);
            if (dockerfile.isEmpty()) {
                fail(job, Failure.of(FailureCode.INTERNAL, "The job's Dockerfile is missing from the store"));
                return;
            }
            ImageBuilder.BuildOutcome built = builder.build(id, dockerfile.get(), settings.buildTimeout());
            artifacts.saveLog(id, LogKind.BUILD, built.log());
            if (!(built instanceof ImageBuilder.Built image)) {
                fail(job, StepOutcomes.failureOf(built).orElseThrow());
                return;
            }
            String imageRef = image.imageRef();

            job = advance(job, JobStatus.SCANNING);
            ScanReport report;
            try {
                report = scanner.scan(imageRef);
            } catch (VulnerabilityScanner.ScannerUnavailableException e) {
                fail(job, StepOutcomes.scannerUnavailable(e.getMessage()));
                return;
            } catch (VulnerabilityScanner.ScanFailedException e) {
                fail(job, StepOutcomes.scanFailed(e.getMessage()));
                return;
            }
            artifacts.saveScanReport(id, report);
            VulnerabilityPolicy policy = settings.policy();
            VulnerabilityPolicy.Decision decision = policy.evaluate(report);
            job = job.withVulnerabilities(decision.counts(), clock.instant());
            Optional<Failure> vulnerable = StepOutcomes.failureOf(policy, decision);
            if (vulnerable.isPresent()) {
                fail(job, vulnerable.get());
                return;
            }

            job = advance(job, JobStatus.RUNNING);
            workspace.prepare(id);
            ContainerRunner.RunOutcome ran = runner.run(id, imageRef, settings.runLimits());
            artifacts.saveLog(id, LogKind.RUN, ran.log());
            Optional<Failure> runFailure = StepOutcomes.failureOf(ran, settings.runLimits().memoryBytes());
            if (runFailure.isPresent()) {
                fail(job, runFailure.get());
                return;
            }
            collect(job);
        } catch (Superseded s) {
            LOG.info(() -> "job " + id + " was cancelled or removed; pipeline stopped");
            if (jobs.find(id).isEmpty()) {
                // Deleted while a step ran: drop what this pipeline saved after the delete removed the rest.
                artifacts.deleteAll(id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + " failed unexpectedly", e);
            try {
                Failure internal = StepOutcomes.internal(e);
                JobProgress.failIfActive(jobs, clock, id, current -> internal);
            } catch (RuntimeException ignored) {
                LOG.log(Level.WARNING, "could not record the failure of job " + id, ignored);
            }
        } finally {
            if (!cleanedUp.remove(id)) {
                cleanUp(id);
            }
        }
    }

    private void collect(Job job) throws Superseded {
        switch (StepOutcomes.collect(workspace.readResult(job.id(), PerformanceResult.MAX_BYTES))) {
            case StepOutcomes.Measured m -> finish(job, job.succeeded(m.performance(), clock.instant()));
            case StepOutcomes.Rejected r -> fail(job, r.failure());
        }
    }

    private Job advance(Job job, JobStatus next) throws Superseded {
        Job moved = job.advancedTo(next, clock.instant());
        if (!jobs.update(moved, EnumSet.of(job.status()))) {
            throw new Superseded();
        }
        return moved;
    }

    private void fail(Job job, Failure failure) throws Superseded {
        finish(job, job.failed(failure, clock.instant()));
    }

    /**
     * Cleans up first, then records the terminal status: a client that sees a job ended finds its container,
     * image and workspace already gone.
     */
    private void finish(Job from, Job terminal) throws Superseded {
        cleanUp(from.id());
        cleanedUp.add(from.id());
        if (!jobs.update(terminal, EnumSet.of(from.status()))) {
            throw new Superseded();
        }
    }

    /** Ends the job FAILED whatever active status it is in now (used where the in-hand copy may be stale). */
    public void failIfActive(JobId id, FailureCode code, String message) {
        Failure failure = Failure.of(code, message);
        JobProgress.failIfActive(jobs, clock, id, current -> failure);
    }

    private void cleanUp(JobId id) {
        boolean interrupted = Thread.interrupted();
        try {
            runner.remove(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the container of job " + id, e);
        }
        try {
            builder.remove(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the image of job " + id, e);
        }
        try {
            workspace.discard(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the workspace of job " + id, e);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
