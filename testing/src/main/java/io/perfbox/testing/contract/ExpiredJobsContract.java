package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.TenantUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ExpiredJobs} adapter must do, driven through the {@link JobStore} (and {@link TenantUsage}) it is.
 * Subclasses provide a fresh, empty store that is all three.
 */
public abstract class ExpiredJobsContract {

    protected abstract JobStore jobs();

    protected abstract ExpiredJobs expired();

    protected abstract TenantUsage usage();

    private final String owner = "owner-" + UUID.randomUUID();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    private Job created(Instant at) {
        Job job = Job.queued(JobId.random(), owner, "name", "description", at);
        assertThat(jobs().create(job, Optional.empty()).created()).isTrue();
        return job;
    }

    private Job ended(Job job, Instant at, JobStatus how) {
        Job building = job.advancedTo(JobStatus.BUILDING, job.createdAt().plusMillis(1));
        assertThat(jobs().update(building, EnumSet.of(JobStatus.QUEUED))).isTrue();
        Job end = switch (how) {
            case SUCCEEDED -> building.succeeded(0.5, at);
            case FAILED -> building.failed(new Failure(FailureCode.VULNERABLE, "why"), at);
            case CANCELLED -> building.cancelled(at);
            default -> throw new IllegalArgumentException(how.name());
        };
        assertThat(jobs().update(end, EnumSet.of(JobStatus.BUILDING))).isTrue();
        return end;
    }

    private Job finished(Instant createdAt, Instant finishedAt) {
        return ended(created(createdAt), finishedAt, JobStatus.SUCCEEDED);
    }

    @Test
    void finishedBeforeFindsTheFinishedJobsThatEndedBeforeTheCutoffOldestFirstAndNoneUnderWay() {
        Instant cutoff = T0.plus(DAY.multipliedBy(3));
        Job succeeded = ended(created(T0), T0.plus(DAY), JobStatus.SUCCEEDED);
        Job cancelled = ended(created(T0.plusSeconds(1)), T0.plus(DAY).minusSeconds(60), JobStatus.CANCELLED);
        Job failed = ended(created(T0.plusSeconds(2)), cutoff.minusNanos(1_000), JobStatus.FAILED);
        Job atCutoff = finished(T0.plusSeconds(3), cutoff);
        Job after = finished(T0.plusSeconds(4), cutoff.plusMillis(1));
        Job queuedLongAgo = created(T0.minus(DAY.multipliedBy(400)));
        Job running = created(T0.minus(DAY.multipliedBy(300)));
        jobs().update(running.advancedTo(JobStatus.RUNNING, T0.minus(DAY.multipliedBy(300))), EnumSet.of(JobStatus.QUEUED));

        List<JobId> found = expired().finishedBefore(cutoff, 100).stream().map(Job::id).toList();

        assertThat(found).containsExactly(cancelled.id(), succeeded.id(), failed.id());
        assertThat(found).doesNotContain(atCutoff.id(), after.id(), queuedLongAgo.id(), running.id());
        assertThat(expired().finishedBefore(cutoff, 2).stream().map(Job::id).toList())
                .containsExactly(cancelled.id(), succeeded.id());
        assertThat(expired().finishedBefore(T0, 100)).isEmpty();
    }

    @Test
    void removeFinishedRemovesAnOldFinishedJobOnlyNeverOneUnderWayOrOneThatEndedAfterTheCutoff() {
        Instant cutoff = T0.plus(DAY.multipliedBy(10));
        Job old = finished(T0, T0.plus(DAY));
        Job recent = finished(T0, cutoff.plusSeconds(1));
        Job running = created(T0.minus(DAY.multipliedBy(100)));
        jobs().update(running.advancedTo(JobStatus.RUNNING, T0), EnumSet.of(JobStatus.QUEUED));
        Job queued = created(T0.minus(DAY.multipliedBy(100)));

        assertThat(expired().removeFinished(running.id(), cutoff)).isFalse();
        assertThat(expired().removeFinished(queued.id(), cutoff)).isFalse();
        assertThat(expired().removeFinished(recent.id(), cutoff)).isFalse();
        assertThat(expired().removeFinished(old.id(), cutoff)).isTrue();
        assertThat(expired().removeFinished(old.id(), cutoff)).as("gone already").isFalse();
        assertThat(expired().removeFinished(JobId.random(), cutoff)).isFalse();

        assertThat(jobs().find(old.id())).isEmpty();
        assertThat(jobs().find(recent.id())).isPresent();
        assertThat(jobs().find(running.id())).map(Job::status).contains(JobStatus.RUNNING);
        assertThat(jobs().find(queued.id())).map(Job::status).contains(JobStatus.QUEUED);
        assertThat(jobs().findUnfinished()).extracting(Job::id).contains(running.id(), queued.id());
    }

    @Test
    void removingFinishedJobsKeepsTheirSubmissionsCountingAndTheActiveCountAsItWas() {
        Instant now = T0.plus(DAY);
        Instant windowStart = now.minus(Duration.ofHours(24));
        Job first = finished(now.minusSeconds(30), now.minusSeconds(20));
        Job second = ended(created(now.minusSeconds(10)), now.minusSeconds(5), JobStatus.CANCELLED);
        Job running = created(now.minusSeconds(3));
        jobs().update(running.advancedTo(JobStatus.RUNNING, now), EnumSet.of(JobStatus.QUEUED));
        TenantUsage.Submissions before = usage().submissionsSince(owner, windowStart);
        int activeBefore = usage().countActive(owner);

        assertThat(expired().removeFinished(first.id(), now)).isTrue();
        assertThat(expired().removeFinished(second.id(), now)).isTrue();

        assertThat(usage().submissionsSince(owner, windowStart)).isEqualTo(before);
        assertThat(before.count()).isEqualTo(3);
        assertThat(before.oldest()).contains(first.createdAt());
        assertThat(usage().countActive(owner)).isEqualTo(activeBefore).isEqualTo(1);
    }

    @Test
    void forgottenIdempotencyKeysMakeANewJobAndKeysMadeAfterTheCutoffStillAnswerTheEarlierJob() {
        IdempotencyKey oldKey = new IdempotencyKey("old-" + UUID.randomUUID(), "fp");
        IdempotencyKey newKey = new IdempotencyKey("new-" + UUID.randomUUID(), "fp");
        Job first = Job.queued(JobId.random(), owner, "n", "d", T0);
        assertThat(jobs().create(first, Optional.of(oldKey)).created()).isTrue();
        Job second = Job.queued(JobId.random(), owner, "n", "d", T0.plus(DAY.multipliedBy(5)));
        assertThat(jobs().create(second, Optional.of(newKey)).created()).isTrue();

        assertThat(expired().forgetIdempotencyKeysBefore(T0)).as("none made before T0").isZero();
        assertThat(expired().forgetIdempotencyKeysBefore(T0.plus(DAY))).isEqualTo(1);
        assertThat(expired().forgetIdempotencyKeysBefore(T0.plus(DAY))).as("forgotten once").isZero();

        // The first job is still there, but its key is free: the same request again is a new submission, and a
        // different request under that key is no longer a conflict.
        Job again = Job.queued(JobId.random(), owner, "n", "d", T0.plus(DAY.multipliedBy(6)));
        JobStore.CreateResult retried = jobs().create(again, Optional.of(oldKey));
        assertThat(retried.created()).isTrue();
        assertThat(retried.job().id()).isEqualTo(again.id());
        assertThat(jobs().find(first.id())).isPresent();
        Job other = Job.queued(JobId.random(), owner, "n", "d", T0.plus(DAY.multipliedBy(6)));
        JobStore.CreateResult kept = jobs().create(other, Optional.of(new IdempotencyKey(newKey.key(), "fp")));
        assertThat(kept.created()).isFalse();
        assertThat(kept.job().id()).isEqualTo(second.id());
    }
}
