package io.perfbox.core.port;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.List;

/**
 * A job store that removes what is past its retention itself (the local runtime's {@code serve --retain-days}; the
 * AWS runtime lets DynamoDB expire its items by TTL instead, so this is no part of {@link JobStore}).
 *
 * <p>Only finished jobs go: a job under way is never found nor removed, whatever its age. A removed job's submission
 * stays ({@link TenantUsage}: it outlives its job, as after a delete), so removing old jobs never gives a tenant back
 * any of a quota.
 */
public interface ExpiredJobs {

    /** When a finished job finished: its {@code finishedAt}, else (a job of an earlier version) its last update. */
    static Instant finishedAt(Job job) {
        return job.stages().finishedAt() != null ? job.stages().finishedAt() : job.updatedAt();
    }

    /** At most {@code limit} jobs in a terminal status that finished before {@code cutoff}, of every owner, oldest first. */
    List<Job> finishedBefore(Instant cutoff, int limit);

    /**
     * Removes the job's record when it is in a terminal status and finished before {@code cutoff}; false (and nothing
     * removed) otherwise, e.g. when it is gone or under way.
     */
    boolean removeFinished(JobId id, Instant cutoff);

    /**
     * Forgets the idempotency records made (by the create that stored them) before {@code cutoff}: a request sent
     * again under such a key afterwards is a new submission. Returns how many were forgotten.
     */
    int forgetIdempotencyKeysBefore(Instant cutoff);
}
