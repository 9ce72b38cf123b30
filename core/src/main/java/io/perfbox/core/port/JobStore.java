package io.perfbox.core.port;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Where jobs live. Every status change is a conditional write. */
public interface JobStore {

    /**
     * Stores a new job. With an idempotency key, a second create with the same owner and key returns the
     * job the first one stored instead (created = false); a different fingerprint under the same key is a
     * conflict ({@link IdempotencyConflictException}).
     */
    CreateResult create(Job job, Optional<IdempotencyKey> idempotencyKey);

    Optional<Job> find(JobId id);

    /**
     * Replaces the stored job with {@code updated} only if the stored status is one of {@code expected}.
     * Returns false (and writes nothing) when the job is gone or its status moved on, e.g. was cancelled.
     */
    boolean update(Job updated, Set<JobStatus> expected);

    /** An owner's jobs, newest first; optionally only those with {@code status}. */
    JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken);

    /** Every job not yet in a terminal status, of every owner (for recovery after a restart). */
    List<Job> findUnfinished();

    /** Removes the job; false when there was none. */
    boolean delete(JobId id);

    record CreateResult(Job job, boolean created) {
    }

    /** A client's Idempotency-Key and a fingerprint of what it sent with it. */
    record IdempotencyKey(String key, String requestFingerprint) {
    }

    /** A page of jobs and the token for the next page (empty on the last page). */
    record JobPage(List<Job> jobs, Optional<String> nextToken) {
        public JobPage {
            jobs = List.copyOf(jobs);
        }
    }

    class IdempotencyConflictException extends RuntimeException {
        public IdempotencyConflictException(String key) {
            super("Idempotency-Key '" + key + "' was already used for a different request");
        }
    }

    /** A page token that this store did not issue or cannot read. */
    class InvalidPageTokenException extends RuntimeException {
        public InvalidPageTokenException() {
            super("nextToken is not a token this API issued");
        }
    }
}
