package io.perfbox.core.lifecycle;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.LogSink;
import io.perfbox.core.port.VulnerabilityScanner;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lifecycle driven by one thread: build, scan, run, each step's outcome reported to {@link JobLifecycle}, which
 * decides what follows. The job's resources are released whatever happens (by the lifecycle before a terminal
 * status, otherwise here). Interruption (cancel or shutdown) stops the current step. Only a job still QUEUED is
 * taken: a job found in any other status is left alone (it is another driver's, or ended).
 */
public class JobPipeline {
    private static final Logger LOG = Logger.getLogger(JobPipeline.class.getName());

    private final JobLifecycle lifecycle;
    private final DockerfileStore dockerfiles;
    private final ImageBuilder builder;
    private final VulnerabilityScanner scanner;
    private final ContainerRunner runner;
    private final JobWorkspace workspace;
    private final JobResources resources;
    private final PipelineSettings settings;
    /** Where the build's and the run's output is written as it is produced. */
    private final JobArtifactStore logs;

    public JobPipeline(JobLifecycle lifecycle, DockerfileStore dockerfiles, ImageBuilder builder,
                       VulnerabilityScanner scanner, ContainerRunner runner, JobWorkspace workspace,
                       JobResources resources, PipelineSettings settings, JobArtifactStore logs) {
        this.logs = logs;
        this.lifecycle = lifecycle;
        this.dockerfiles = dockerfiles;
        this.builder = builder;
        this.scanner = scanner;
        this.runner = runner;
        this.workspace = workspace;
        this.resources = resources;
        this.settings = settings;
    }

    public void execute(JobId id) throws InterruptedException {
        Next next = Next.STOPPED;
        boolean begun = false;
        try {
            next = lifecycle.start(id);
            if (!next.proceed()) {
                return;
            }
            begun = true;
            var dockerfile = dockerfiles.load(id);
            if (dockerfile.isEmpty()) {
                next = lifecycle.fail(id, StepOutcomes.internal("the job's Dockerfile is missing from the store"));
                return;
            }
            ImageBuilder.BuildOutcome built;
            LiveLog buildLog = new LiveLog(id, LogKind.BUILD);
            try (buildLog) {
                built = builder.build(id, lifecycle.owner(id), dockerfile.get(), settings.buildTimeout(), buildLog);
            }
            next = lifecycle.built(id, built, buildLog.stored());
            if (!next.proceed()) {
                return;
            }
            next = lifecycle.scanned(id, scan(((ImageBuilder.Built) built).imageRef(), dockerfile.get()));
            if (!next.proceed()) {
                return;
            }
            next = runAll(id, ((ImageBuilder.Built) built).imageRef());
            if (next == Next.STOPPED) {
                LOG.info(() -> "job " + id + " was cancelled or removed; pipeline stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + " failed unexpectedly", e);
            try {
                next = lifecycle.fail(id, StepOutcomes.internal(e));
            } catch (RuntimeException ignored) {
                LOG.log(Level.WARNING, "could not record the failure of job " + id, ignored);
            }
        } finally {
            // Only what this pipeline began is its to release: a job it found not QUEUED may be another's.
            if (begun && next != Next.ENDED) {
                resources.releaseQuietly(id);
            }
        }
    }

    /**
     * Runs the image as many times as the job asks, each run on a fresh, empty /data (the previous run's container and
     * files removed first), reporting each run to the lifecycle, which records it and answers PROCEED while more are
     * due. The runs' output is one run log; with several runs, a line before each says which run it is.
     */
    private Next runAll(JobId id, String imageRef) throws InterruptedException {
        int requested = lifecycle.runsRequested(id);
        LiveLog runLog = new LiveLog(id, LogKind.RUN);
        try (runLog) {
            for (int run = 1; ; run++) {
                if (run > 1) {
                    runner.remove(id);
                }
                workspace.prepare(id);
                if (requested > 1) {
                    runLog.write("[perfbox] run " + run + " of " + requested + "\n");
                }
                long started = System.nanoTime();
                ContainerRunner.RunOutcome ran = runner.run(id, imageRef, settings.runLimits(), runLog);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                if (run >= requested) {
                    // The log is complete before the job's end is written, as a client seeing the end expects.
                    runLog.close();
                }
                Next next = lifecycle.ran(id, run, took, ran,
                        () -> workspace.readResult(id, PerformanceResult.MAX_BYTES), runLog.stored(), conditions(id));
                if (next != Next.PROCEED) {
                    return next;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("job " + id + " was stopped between runs");
                }
            }
        }
    }

    /**
     * A step's output into the job's log as it is produced. A store that fails (a full disk) loses the live log, never
     * the step: the lifecycle then stores the outcome's own bounded log instead ({@link #stored}).
     */
    private final class LiveLog implements LogSink, AutoCloseable {
        private final JobId id;
        private final LogKind kind;
        private JobArtifactStore.LogWriter writer;
        private boolean failed;
        private boolean closed;

        LiveLog(JobId id, LogKind kind) {
            this.id = id;
            this.kind = kind;
        }

        /** The log is opened with the first output: a step that printed nothing leaves none (as before). */
        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            // A step's reader thread may still deliver output after the step returned: it is dropped.
            if (failed || closed || length == 0) {
                return;
            }
            try {
                if (writer == null) {
                    writer = logs.openLog(id, kind);
                }
                writer.write(bytes, offset, length);
            } catch (RuntimeException e) {
                lost(e);
            }
        }

        private void lost(RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": its " + kind + " log could not be written as it was produced", e);
            writer = null;
            failed = true;
        }

        /**
         * Whether the output went to the store as it came. Else the outcome's log is saved over it: the store failed,
         * or the step wrote nothing here (a step that only reports its log at the end).
         */
        synchronized boolean stored() {
            return writer != null && !failed;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (writer != null) {
                try {
                    writer.close();
                } catch (RuntimeException e) {
                    lost(e);
                }
            }
        }
    }

    /** The run's conditions for the receipt: a runner that cannot tell them never fails the job for it. */
    private RunReceipt conditions(JobId id) {
        try {
            return runner.conditions(id, settings.runLimits());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": the run's conditions could not be read for its receipt", e);
            return RunReceipt.ran(settings.runLimits().receipt(), null, null, null, null);
        }
    }

    private JobLifecycle.ScanResult scan(String imageRef, Dockerfile dockerfile)
            throws InterruptedException {
        try {
            return new JobLifecycle.Scanned(scanner.scan(imageRef, dockerfile));
        } catch (VulnerabilityScanner.ScannerUnavailableException e) {
            return new JobLifecycle.ScannerUnavailable(e.getMessage());
        } catch (VulnerabilityScanner.ScanFailedException e) {
            return new JobLifecycle.ScanFailed(e.getMessage());
        }
    }
}
