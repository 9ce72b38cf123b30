package io.perfbox.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A submitted job and everything known about it. Immutable: every change produces a new value,
 * which a {@code JobStore} writes only if the stored status is still the one the change started from.
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
        VulnerabilityCounts vulnerabilities) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        stages = stages == null ? StageTimes.NONE : stages;
        if (performance != null && !Double.isFinite(performance)) {
            throw new IllegalArgumentException("performance must be finite");
        }
    }

    public static Job queued(JobId id, String owner, String name, String description, Instant now) {
        return new Job(id, owner, name, description, JobStatus.QUEUED, null, null, now, now,
                StageTimes.NONE.withQueued(now), null);
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
        return new Job(id, owner, name, description, next, null, null, createdAt, now, s, vulnerabilities);
    }

    public Job withVulnerabilities(VulnerabilityCounts counts, Instant now) {
        return new Job(id, owner, name, description, status, failure, performance, createdAt, now, stages, counts);
    }

    public Job succeeded(double perf, Instant now) {
        return new Job(id, owner, name, description, JobStatus.SUCCEEDED, null, perf, createdAt, now,
                stages.withFinished(now), vulnerabilities);
    }

    public Job failed(Failure why, Instant now) {
        return new Job(id, owner, name, description, JobStatus.FAILED, why, null, createdAt, now,
                stages.withFinished(now), vulnerabilities);
    }

    public Job cancelled(Instant now) {
        return new Job(id, owner, name, description, JobStatus.CANCELLED,
                Failure.of(FailureCode.INTERRUPTED, "Cancelled by the user while " + status), null,
                createdAt, now, stages.withFinished(now), vulnerabilities);
    }
}
