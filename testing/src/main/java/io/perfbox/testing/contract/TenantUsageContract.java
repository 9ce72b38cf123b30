package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.TenantUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link TenantUsage} adapter must do, driven through the {@link JobStore} that records the usage.
 * Subclasses provide a fresh, empty store that is both.
 */
public abstract class TenantUsageContract {

    /** The job store whose writes the usage counts. */
    protected abstract JobStore jobs();

    /** The usage of {@link #jobs()}. */
    protected abstract TenantUsage usage();

    private final String owner = "owner-" + UUID.randomUUID();
    private Instant clock = Instant.parse("2026-01-01T00:00:00Z");

    private Job newJob() {
        clock = clock.plus(1, ChronoUnit.SECONDS);
        return Job.queued(JobId.random(), owner, "name", "description", clock);
    }

    private Job created() {
        Job job = newJob();
        assertThat(jobs().create(job, Optional.empty()).created()).isTrue();
        return job;
    }

    private Job fail(Job job, FailureCode code) {
        Job failed = job.failed(new Failure(code, "why"), clock);
        assertThat(jobs().update(failed, EnumSet.of(job.status()))).isTrue();
        return failed;
    }

    @Test
    void countActiveCountsTheOwnersJobsUnderWayOnly() {
        Job queued = created();
        Job running = created();
        Job done = created();
        jobs().create(Job.queued(JobId.random(), "someone-else", "n", "d", clock), Optional.empty());
        assertThat(jobs().update(running.advancedTo(JobStatus.BUILDING, clock), EnumSet.of(JobStatus.QUEUED))).isTrue();
        fail(done, FailureCode.RUN_FAILED);
        assertThat(usage().countActive(owner)).isEqualTo(2);
        assertThat(usage().countActive("nobody")).isZero();
        jobs().update(queued.cancelled(clock), EnumSet.of(JobStatus.QUEUED));
        assertThat(usage().countActive(owner)).isEqualTo(1);
    }

    @Test
    void submissionsSinceCountsTheOwnersSubmissionsFromThenOnWithTheOldest() {
        created();
        Instant since = clock.plusMillis(500);
        Job counted = created();
        fail(created(), FailureCode.VULNERABLE);
        Job cancelled = created();
        jobs().update(cancelled.cancelled(clock), EnumSet.of(JobStatus.QUEUED));
        jobs().create(Job.queued(JobId.random(), "someone-else", "n", "d", clock), Optional.empty());
        TenantUsage.Submissions s = usage().submissionsSince(owner, since);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.oldest()).contains(counted.createdAt());
        assertThat(usage().submissionsSince("nobody", since)).isEqualTo(new TenantUsage.Submissions(0, Optional.empty()));
    }

    @ParameterizedTest
    @EnumSource(value = FailureCode.class, names = {"INTERNAL", "INTERRUPTED", "SCANNER_UNAVAILABLE", "PLATFORM_FAILURE"})
    void aSubmissionThatFailedThroughPerfboxsOwnFaultStopsCounting(FailureCode platformFault) {
        Instant since = clock;
        Job first = created();
        Job second = created();
        assertThat(usage().submissionsSince(owner, since).count()).isEqualTo(2);
        Job building = second.advancedTo(JobStatus.BUILDING, clock);
        jobs().update(building, EnumSet.of(JobStatus.QUEUED));
        fail(building, platformFault);
        TenantUsage.Submissions s = usage().submissionsSince(owner, since);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.oldest()).contains(first.createdAt());
    }

    @Test
    void deletingAFinishedJobDoesNotGiveItsSubmissionBack() {
        Instant since = clock;
        Job vulnerable = fail(created(), FailureCode.VULNERABLE);
        Job succeeded = created().succeeded(0.5, clock);
        jobs().update(succeeded, EnumSet.of(JobStatus.QUEUED));
        Job internal = fail(created(), FailureCode.INTERNAL);
        for (Job job : List.of(vulnerable, succeeded, internal)) {
            assertThat(jobs().delete(job.id())).isTrue();
        }
        TenantUsage.Submissions s = usage().submissionsSince(owner, since);
        assertThat(s.count()).as("the two that counted still count; the platform failure still does not").isEqualTo(2);
        assertThat(s.oldest()).contains(vulnerable.createdAt());
    }

    @Test
    void aRetriedSubmitThatReturnsTheEarlierJobIsNotASecondSubmission() {
        Instant since = clock;
        IdempotencyKey key = new IdempotencyKey("retry-" + UUID.randomUUID(), "fp");
        Job first = newJob();
        assertThat(jobs().create(first, Optional.of(key)).created()).isTrue();
        assertThat(jobs().create(newJob(), Optional.of(key)).created()).isFalse();
        assertThat(usage().submissionsSince(owner, since).count()).isEqualTo(1);
    }

    @Test
    void aRefusedStatusChangeLeavesTheSubmissionCounted() {
        Instant since = clock;
        Job job = created();
        jobs().update(job.cancelled(clock), EnumSet.of(JobStatus.QUEUED));
        // The lifecycle's INTERNAL write loses to the cancel (compare-and-set): the submission still counts.
        assertThat(jobs().update(job.failed(new Failure(FailureCode.INTERNAL, "late"), clock), EnumSet.of(JobStatus.QUEUED)))
                .isFalse();
        assertThat(usage().submissionsSince(owner, since).count()).isEqualTo(1);
    }

    @Test
    void submissionsOlderThanTheRetentionAreDroppedWhenNewerOnesAreRecorded() {
        Instant since = clock;
        Job old = created();
        jobs().delete(old.id());
        clock = clock.plus(TenantUsage.RETENTION).plus(Duration.ofHours(1));
        Job recent = created();
        TenantUsage.Submissions s = usage().submissionsSince(owner, since);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.oldest()).contains(recent.createdAt());
    }
}
