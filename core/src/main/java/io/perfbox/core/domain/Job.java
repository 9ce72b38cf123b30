package io.perfbox.core.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A submitted job and everything known about it. Immutable: every change produces a new value,
 * which a {@code JobStore} writes only if the stored status is still the one the change started from.
 * {@code metrics}: the named values of a SUCCEEDED job's perf.json beside its performance (empty otherwise).
 * {@code receipt}: what produced its number, as far as its steps got ({@link RunReceipt}); null for a job of a perfbox
 * from before receipts. Every change keeps it.
 * {@code runs}: how many times the image is to run and each completed run's value ({@link Runs}); a FAILED or
 * CANCELLED job keeps the runs that completed before it ended. Every change keeps it.
 */
public record Job(
        JobId id,
        String owner,
        String name,
        String description,
        JobStatus status,
        Failure failure,
        Double performance,
        Instant createdAt,
        Instant updatedAt,
        StageTimes stages,
        VulnerabilityCounts vulnerabilities,
        List<String> warnings,
        Map<String, Double> metrics,
        RunReceipt receipt,
        Runs runs) {

    public Job {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        metrics = Metrics.copyOf(metrics);
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        stages = stages == null ? StageTimes.NONE : stages;
        if (status == JobStatus.CANCELLED && failure != null && failure.code() == FailureCode.INTERRUPTED) {
            // A job cancelled by a perfbox from before the code CANCELLED was stored with INTERRUPTED: it reads as
            // what it was, the user's cancel (INTERRUPTED is a crash or restart, which ends a job FAILED).
            failure = Failure.of(FailureCode.CANCELLED, failure.message());
        }
        if (performance != null && !Double.isFinite(performance)) {
            throw new IllegalArgumentException("performance must be finite");
        }
        if (runs == null) {
            // A job stored before runs were recorded ran once: a SUCCEEDED one's value is its one run's.
            runs = status == JobStatus.SUCCEEDED && performance != null
                    ? Runs.SINGLE.with(new Runs.Run(1, performance, metrics, null)) : Runs.SINGLE;
        }
    }

    /** A job of one run (its runs as a job stored before runs were recorded: see the canonical constructor). */
    public Job(JobId id, String owner, String name, String description, JobStatus status, Failure failure,
            Double performance, Instant createdAt, Instant updatedAt, StageTimes stages,
            VulnerabilityCounts vulnerabilities, List<String> warnings, Map<String, Double> metrics,
            RunReceipt receipt) {
        this(id, owner, name, description, status, failure, performance, createdAt, updatedAt, stages,
                vulnerabilities, warnings, metrics, receipt, null);
    }

    /** A job without a receipt. */
    public Job(JobId id, String owner, String name, String description, JobStatus status, Failure failure,
            Double performance, Instant createdAt, Instant updatedAt, StageTimes stages,
            VulnerabilityCounts vulnerabilities, List<String> warnings, Map<String, Double> metrics) {
        this(id, owner, name, description, status, failure, performance, createdAt, updatedAt, stages,
                vulnerabilities, warnings, metrics, null);
    }

    /** A job without metrics. */
    public Job(JobId id, String owner, String name, String description, JobStatus status, Failure failure,
            Double performance, Instant createdAt, Instant updatedAt, StageTimes stages,
            VulnerabilityCounts vulnerabilities, List<String> warnings) {
        this(id, owner, name, description, status, failure, performance, createdAt, updatedAt, stages,
                vulnerabilities, warnings, Map.of());
    }

    /** A job without warnings. */
    public Job(JobId id, String owner, String name, String description, JobStatus status, Failure failure,
            Double performance, Instant createdAt, Instant updatedAt, StageTimes stages,
            VulnerabilityCounts vulnerabilities) {
        this(id, owner, name, description, status, failure, performance, createdAt, updatedAt, stages,
                vulnerabilities, List.of());
    }

    public static Job queued(JobId id, String owner, String name, String description, Instant now) {
        return queued(id, owner, name, description, Runs.DEFAULT, now);
    }

    /** A new job whose image is to run {@code runs} times ({@link Runs#MIN}..{@link Runs#MAX}). */
    public static Job queued(JobId id, String owner, String name, String description, int runs, Instant now) {
        return new Job(id, owner, name, description, JobStatus.QUEUED, null, null, now, now,
                StageTimes.NONE.withQueued(now), null, List.of(), Map.of(), null, Runs.of(runs));
    }

    /** The job moved to the next active stage at {@code now}. */
    public Job advancedTo(JobStatus next, Instant now) {
        if (next.isTerminal() || next == JobStatus.QUEUED) {
            throw new IllegalArgumentException("advancedTo takes BUILDING, SCANNING or RUNNING, not " + next);
        }
        StageTimes s = switch (next) {
            case BUILDING -> stages.withBuildStarted(now);
            case SCANNING -> stages.withScanStarted(now);
            case RUNNING -> stages.withRunStarted(now);
            default -> stages;
        };
        return new Job(id, owner, name, description, next, null, null, createdAt, now, s, vulnerabilities, warnings,
                Map.of(), receipt, runs);
    }

    public Job withVulnerabilities(VulnerabilityCounts counts, Instant now) {
        return new Job(id, owner, name, description, status, failure, performance, createdAt, now, stages, counts, warnings,
                metrics, receipt, runs);
    }

    public Job succeeded(double perf, Instant now) {
        return succeeded(perf, Map.of(), now);
    }

    /** SUCCEEDED with this value and metrics; a job with no run recorded records them as its run 1. */
    public Job succeeded(double perf, Map<String, Double> namedMetrics, Instant now) {
        Runs ran = runs.completed().isEmpty() ? runs.with(new Runs.Run(1, perf, namedMetrics, null)) : runs;
        return new Job(id, owner, name, description, JobStatus.SUCCEEDED, null, perf, createdAt, now,
                stages.withFinished(now), vulnerabilities, warnings, namedMetrics, receipt, ran);
    }

    /** The job with {@code run}, the one due next, completed (still RUNNING: more runs follow). */
    public Job withRun(Runs.Run run, Instant now) {
        return new Job(id, owner, name, description, status, failure, performance, createdAt, now, stages,
                vulnerabilities, warnings, metrics, receipt, runs.with(run));
    }

    /**
     * SUCCEEDED after its last run: the performance is the median of the runs' values, each metric the median of its
     * values ({@link Runs}).
     */
    public Job succeededOverRuns(Instant now) {
        if (!runs.complete()) {
            throw new IllegalStateException("job " + id + " has completed " + runs.completed().size() + " of "
                    + runs.requested() + " runs");
        }
        return new Job(id, owner, name, description, JobStatus.SUCCEEDED, null, runs.median().orElseThrow(), createdAt,
                now, stages.withFinished(now), vulnerabilities, warnings, runs.medianMetrics(), receipt, runs);
    }

    /** The value the leaderboard ranks by: {@link Metrics#PERFORMANCE} is the performance, any other a metric. */
    public Optional<Double> metric(String metricName) {
        return Metrics.PERFORMANCE.equals(metricName) ? Optional.ofNullable(performance)
                : Optional.ofNullable(metrics.get(metricName));
    }

    /**
     * The job with one more warning: something went wrong that did not end it (e.g. a process of the run was killed
     * for memory while the main process still exited 0). Warnings are never dropped by later changes.
     */
    public Job withWarning(String warning, Instant now) {
        Objects.requireNonNull(warning, "warning");
        List<String> more = new ArrayList<>(warnings);
        more.add(warning);
        return new Job(id, owner, name, description, status, failure, performance, createdAt, now, stages,
                vulnerabilities, more, metrics, receipt, runs);
    }

    public Job failed(Failure why, Instant now) {
        return new Job(id, owner, name, description, JobStatus.FAILED, why, null, createdAt, now,
                stages.withFinished(now), vulnerabilities, warnings, Map.of(), receipt, runs);
    }

    /**
     * FAILED through perfbox's own fault ({@link FailureCode#isPlatformFault()}), so the submission does not count
     * against a quota. A job the user cancelled is CANCELLED (its failure code CANCELLED) and counts.
     */
    public boolean failedThroughPlatformFault() {
        return status == JobStatus.FAILED && failure != null && failure.code().isPlatformFault();
    }

    public Job cancelled(Instant now) {
        return new Job(id, owner, name, description, JobStatus.CANCELLED,
                Failure.of(FailureCode.CANCELLED, "Cancelled by the user while " + status), null,
                createdAt, now, stages.withFinished(now), vulnerabilities, warnings, Map.of(), receipt, runs);
    }

    /**
     * The job with {@code part} of its receipt added ({@link RunReceipt#merge}); a step records it with the status
     * change it makes, so updatedAt is left to that change.
     */
    public Job withReceipt(RunReceipt part) {
        if (part == null) {
            return this;
        }
        RunReceipt merged = (receipt == null ? RunReceipt.EMPTY : receipt).merge(part);
        return new Job(id, owner, name, description, status, failure, performance, createdAt, updatedAt, stages,
                vulnerabilities, warnings, metrics, merged, runs);
    }
}
