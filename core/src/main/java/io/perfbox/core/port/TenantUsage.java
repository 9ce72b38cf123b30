package io.perfbox.core.port;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a tenant has used, for its quotas ({@link io.perfbox.core.application.TenantQuotas}): its jobs under way and
 * its submissions in a recent window. Each answer is one counting query over an index, so its cost does not grow
 * with the tenant's history.
 *
 * <p>The job store that implements this port records a submission when it creates a job, in the same write (a
 * retried create that returns an earlier job is not a new submission). A submission outlives its job: deleting the
 * job does not give it back. A job that fails through perfbox's own fault
 * ({@link io.perfbox.core.domain.FailureCode#isPlatformFault()}) stops counting when that failure is written.
 * Submissions more than {@link #RETENTION} older than the newest one the store recorded may be pruned.
 */
public interface TenantUsage {
    /** How long submissions are kept at least: longer than any window a quota counts over (24 hours). */
    Duration RETENTION = Duration.ofHours(48);

    /** How many of the owner's jobs are under way ({@link io.perfbox.core.domain.JobStatus#ACTIVE}). */
    int countActive(String owner);

    /**
     * The owner's submissions at or after {@code since} that count against a submission quota, with the time of the
     * oldest of them. {@code since} is at most {@link #RETENTION} in the past.
     */
    Submissions submissionsSince(String owner, Instant since);

    /** What {@link #submissionsSince} found. */
    record Submissions(int count, Optional<Instant> oldest) {
        public Submissions {
            if (count < 0 || (count == 0) != oldest.isEmpty()) {
                throw new IllegalArgumentException("count " + count + " with oldest " + oldest);
            }
        }
    }
}
