package io.perfbox.core.application;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.PerfboxVersion;
import io.perfbox.core.domain.QuotaExceededException;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobLogReader;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.LogSlice;
import io.perfbox.core.port.PipelineLauncher;
import io.perfbox.core.port.TenantUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** The use cases behind the API: submit, read, list, the leaderboard, cancel, delete, logs, scan report, the
 * submitted Dockerfile. */
public class JobService {
    private final JobStore jobs;
    private final DockerfileStore dockerfiles;
    private final JobArtifactStore artifacts;
    private final PipelineLauncher launcher;
    private final Clock clock;
    private final Supplier<JobId> ids;
    /** Where output is read while it is produced: the artifact store, unless the runtime reads it elsewhere. */
    private volatile JobLogReader liveLogs;
    private volatile TenantQuotas quotas = TenantQuotas.UNLIMITED;
    private volatile TenantUsage usage;
    /** Quota check and create happen under this lock, so two submits at once cannot both take the last slot. */
    private final Object quotaLock = new Object();

    /** How long a client is told to wait when it has too many jobs under way (a job's end cannot be foreseen). */
    static final Duration ACTIVE_RETRY_AFTER = Duration.ofSeconds(30);
    static final Duration DAY = Duration.ofHours(24);

    public JobService(JobStore jobs, DockerfileStore dockerfiles, JobArtifactStore artifacts,
                      PipelineLauncher launcher, Clock clock) {
        this(jobs, dockerfiles, artifacts, launcher, clock, JobId::random);
    }

    public JobService(JobStore jobs, DockerfileStore dockerfiles, JobArtifactStore artifacts,
                      PipelineLauncher launcher, Clock clock, Supplier<JobId> ids) {
        this.jobs = jobs;
        this.dockerfiles = dockerfiles;
        this.artifacts = artifacts;
        this.launcher = launcher;
        this.clock = clock;
        this.ids = ids;
        this.liveLogs = artifacts;
    }

    /** This service reading output as it is produced from {@code reader} (e.g. where the steps' output goes live). */
    public JobService withLiveLogs(JobLogReader reader) {
        this.liveLogs = Objects.requireNonNull(reader, "reader");
        return this;
    }

    /**
     * This service's quotas per tenant from now on (unlimited unless set), counted by {@code usage}: the submissions
     * and jobs under way that the store of this service's jobs records.
     */
    public JobService withQuotas(TenantQuotas quotas, TenantUsage usage) {
        if (!quotas.unlimited() && usage == null) {
            throw new IllegalArgumentException("quotas need a TenantUsage to count against");
        }
        this.usage = usage;
        this.quotas = quotas;
        return this;
    }

    /** The most runs a submission may ask for on this runtime ({@link Runs#MAX} unless a runtime lowers it). */
    private volatile int maxRuns = Runs.MAX;

    /**
     * This service refusing a submission of more than {@code max} runs (invalid-runs, saying so): for a runtime whose
     * workflow runs an image once only.
     */
    public JobService withMaxRuns(int max) {
        if (max < Runs.MIN || max > Runs.MAX) {
            throw new IllegalArgumentException("max runs must be from " + Runs.MIN + " to " + Runs.MAX);
        }
        this.maxRuns = max;
        return this;
    }

    public record Submitted(Job job, boolean created) {
    }

    /** Throws {@link QuotaExceededException} if the owner may not submit one more job now. */
    private void checkQuotas(String owner) {
        TenantQuotas q = quotas;
        if (q.maxActiveJobs().isPresent()) {
            int active = usage.countActive(owner);
            if (active >= q.maxActiveJobs().getAsInt()) {
                throw new QuotaExceededException("Tenant " + owner + " has " + active + " job(s) under way, the most it may"
                        + " have at once (" + q.maxActiveJobs().getAsInt() + "); submit again when one has ended",
                        ACTIVE_RETRY_AFTER);
            }
        }
        if (q.maxSubmissionsPerDay().isPresent()) {
            Instant now = clock.instant();
            TenantUsage.Submissions day = usage.submissionsSince(owner, now.minus(DAY));
            if (day.count() >= q.maxSubmissionsPerDay().getAsInt()) {
                Duration wait = day.oldest().map(t -> Duration.between(now, t.plus(DAY))).orElse(Duration.ofMinutes(1));
                throw new QuotaExceededException("Tenant " + owner + " made " + day.count() + " submissions in the last 24"
                        + " hours, the most it may (" + q.maxSubmissionsPerDay().getAsInt() + ")", wait);
            }
        }
    }

    /**
     * Stores the Dockerfile, then the job, then starts the pipeline; never waits for it.
     * The Dockerfile is written first so a stored job always has its Dockerfile.
     */
    public Submitted submit(SubmitJobCommand command) {
        if (command.runs() > maxRuns) {
            throw new InvalidInputException("invalid-runs", "\"runs\" must be from " + Runs.MIN + " to " + maxRuns
                    + " on this deployment, not " + command.runs() + " (it runs each image at most " + maxRuns
                    + (maxRuns == 1 ? " time" : " times") + "; the local runtime runs up to " + Runs.MAX + ")");
        }
        if (quotas.unlimited()) {
            return store(command);
        }
        synchronized (quotaLock) {
            checkQuotas(command.owner());
            return store(command);
        }
    }

    private Submitted store(SubmitJobCommand command) {
        JobId id = ids.get();
        dockerfiles.save(id, command.dockerfile());
        // The receipt starts here, where both runtimes know the Dockerfile: its sha256 and the perfbox that took it.
        Job job = Job.queued(id, command.owner(), command.name(), command.description(), command.runs(), clock.instant())
                .withReceipt(RunReceipt.submitted(command.dockerfile(), PerfboxVersion.current()));
        JobStore.CreateResult result;
        try {
            result = jobs.create(job, command.idempotencyKey()
                    .map(k -> new JobStore.IdempotencyKey(k, command.fingerprint())));
        } catch (JobStore.IdempotencyConflictException e) {
            dockerfiles.delete(id);
            throw new InvalidInputException(InvalidInputException.Kind.UNPROCESSABLE, "idempotency-key-reused",
                    e.getMessage());
        } catch (RuntimeException e) {
            dockerfiles.delete(id);
            throw e;
        }
        if (!result.created()) {
            dockerfiles.delete(id);
            if (result.job().status() == JobStatus.QUEUED) {
                // The first submit may have stored the job and then failed to start it (the client saw an error and
                // retried): start it now. Starting is idempotent per job (one execution per name, one task per id).
                launcher.start(result.job().id());
            }
            return new Submitted(result.job(), false);
        }
        launcher.start(id);
        return new Submitted(result.job(), true);
    }

    public Job get(String owner, JobId id) {
        return jobs.find(id).filter(j -> j.owner().equals(owner)).orElseThrow(() -> new JobNotFoundException(id));
    }

    public JobStore.JobPage list(ListJobsQuery query) {
        try {
            return jobs.list(query.owner(), query.status(), query.limit(), query.pageToken());
        } catch (JobStore.InvalidPageTokenException e) {
            throw new InvalidInputException("invalid-next-token", e.getMessage());
        }
    }

    /** The tenant's leaderboard: its SUCCEEDED jobs that carry the metric, best first (see JobStore#ranked). */
    public List<Job> leaderboard(LeaderboardQuery query) {
        return jobs.ranked(query.owner(), query.metric(), query.order(), query.limit());
    }

    /** The metric over the tenant's latest successive submissions, oldest first (see JobStore#history). */
    public List<Job> history(LeaderboardQuery.History query) {
        return jobs.history(query.owner(), query.metric(), query.limit());
    }

    /**
     * The client's side of the lifecycle (the steps' side is {@link io.perfbox.core.lifecycle.JobLifecycle}: a step
     * that loses its conditional write to this cancel stops). Moves a job still under way to CANCELLED with a
     * compare-and-set write, then stops its build, scan or container; the job stays, with its logs and scan report.
     * A job already CANCELLED is answered as it is (cancel is idempotent); one that ended otherwise is a conflict.
     */
    public Job cancel(String owner, JobId id) {
        Job current = get(owner, id);
        Job last = current;
        while (!last.status().isTerminal()) {
            Job cancelled = last.cancelled(clock.instant());
            if (jobs.update(cancelled, EnumSet.of(last.status()))) {
                launcher.stop(id);
                // The step that was stopped may have saved its log meanwhile; the job itself stays CANCELLED.
                return jobs.find(id).orElse(cancelled);
            }
            last = jobs.find(id).orElseThrow(() -> new JobNotFoundException(id));
        }
        if (last.status() != JobStatus.CANCELLED) {
            throw new InvalidInputException(InvalidInputException.Kind.CONFLICT, "job-already-ended",
                    "job " + id + " already ended " + last.status() + "; only a job under way can be cancelled");
        }
        return last;
    }

    /**
     * Removes a finished job (SUCCEEDED, FAILED or CANCELLED) and its files. A job still under way is a conflict:
     * cancel it first ({@link #cancel}), so that nothing is removed while a step may still write it.
     * Returns the job as it was removed.
     */
    public Job delete(String owner, JobId id) {
        Job current = get(owner, id);
        if (!current.status().isTerminal()) {
            throw new InvalidInputException(InvalidInputException.Kind.CONFLICT, "job-not-finished",
                    "job " + id + " is " + current.status() + "; cancel it first (POST /jobs/" + id
                            + "/cancel), then delete it");
        }
        jobs.delete(id);
        dockerfiles.delete(id);
        artifacts.deleteAll(id);
        return current;
    }

    public record JobLogs(Job job, CapturedLog build, CapturedLog run) {
    }

    public JobLogs logs(String owner, JobId id) {
        Job job = get(owner, id);
        return new JobLogs(job,
                artifacts.log(id, LogKind.BUILD).orElse(CapturedLog.EMPTY),
                artifacts.log(id, LogKind.RUN).orElse(CapturedLog.EMPTY));
    }

    /**
     * The Dockerfile the job was submitted with, as it was submitted. It is stored before its job and removed with it,
     * so a job without one is being deleted: not found.
     */
    public Dockerfile dockerfile(String owner, JobId id) {
        get(owner, id);
        return dockerfiles.load(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * A job whose log a writer left incomplete (perfbox stopped while it wrote) is taken as ended this long after the
     * job itself ended: a cancelled step completes its log within moments.
     */
    static final Duration INCOMPLETE_LOG_GRACE = Duration.ofSeconds(5);

    /**
     * The job's output from {@code offset} (build, then run; see {@link JobOutput}), at most about {@code maxBytes}
     * of it. An offset past the output so far reads at its end; one in the dropped middle of a bounded log reads on
     * from the kept tail, the skipped bytes named by an {@link JobOutput.Omitted} piece.
     */
    public JobOutput output(String owner, JobId id, long offset, int maxBytes) {
        if (offset < 0) {
            throw new InvalidInputException("invalid-offset", "offset must be a whole number of bytes, 0 or more");
        }
        Job job = get(owner, id);
        List<JobOutput.Piece> pieces = new ArrayList<>();
        int budget = Math.max(1, maxBytes);
        long base = 0;
        long pos = offset;
        boolean complete = true;
        for (LogKind kind : LogKind.values()) {
            // A step that printed nothing has no log: it adds no bytes.
            Optional<LogSlice> probe = liveLogs.readLog(id, kind, 0, 0);
            if (probe.isEmpty()) {
                continue;
            }
            long total = probe.get().total();
            boolean kindComplete = probe.get().complete();
            while (pos < base + total && budget > 0) {
                LogSlice s = liveLogs.readLog(id, kind, pos - base, budget).orElseThrow();
                if (s.omitted() > 0) {
                    pieces.add(new JobOutput.Omitted(base + s.offset() - s.omitted(), s.omitted()));
                }
                if (s.bytes().length > 0) {
                    pieces.add(new JobOutput.Text(base + s.offset(), s.bytes()));
                    budget -= s.bytes().length;
                }
                pos = base + s.next();
                total = s.total();
                kindComplete = s.complete();
                if (s.bytes().length == 0) {
                    break;
                }
            }
            if (!kindComplete) {
                // Still being written: what follows has no offsets yet; an offset past its end reads at its end.
                pos = Math.min(pos, base + total);
                complete = false;
                break;
            }
            if (pos < base + total) {
                complete = false;
                break;
            }
            base += total;
        }
        if (complete) {
            pos = Math.min(pos, base);
        }
        long from = pieces.isEmpty() ? pos : switch (pieces.get(0)) {
            case JobOutput.Text t -> t.offset();
            case JobOutput.Omitted o -> o.offset();
        };
        boolean ended = job.status().isTerminal() && (complete
                || budget > 0 && job.updatedAt().plus(INCOMPLETE_LOG_GRACE).isBefore(clock.instant()));
        return new JobOutput(job, pieces, from, pos, ended);
    }

    public record JobScan(Job job, Optional<ScanReport> report) {
    }

    public JobScan scan(String owner, JobId id) {
        Job job = get(owner, id);
        return new JobScan(job, artifacts.scanReport(id));
    }
}
