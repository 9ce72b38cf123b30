package io.perfbox.core.port;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;

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

    /**
     * An owner's jobs, newest first; optionally only those with {@code status}; after {@code pageToken}'s position
     * ({@link PagePosition#parse}: any token of its form is a position, one of another form is
     * {@link InvalidPageTokenException}).
     */
    JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken);

    /**
     * The leaderboard: the owner's SUCCEEDED jobs that carry {@code metric} ({@link Metrics#PERFORMANCE}: the primary
     * value), in {@link RankOrder#ranking} order, at most {@code limit}; jobs without the metric are left out. This
     * default pages through {@link #list}, keeping the best {@code limit} in a heap: linear in the owner's succeeded
     * jobs, in memory bounded by {@code limit}. A store with an index for it overrides it.
     */
    default List<Job> ranked(String owner, String metric, RankOrder order, int limit) {
        Comparator<Job> ranking = order.ranking(metric);
        // The heap's head is the worst kept, dropped first when a better one comes.
        PriorityQueue<Job> best = new PriorityQueue<>(ranking.reversed());
        forEachSucceeded(owner, job -> {
            if (job.metric(metric).isPresent()) {
                best.add(job);
                if (best.size() > limit) {
                    best.poll();
                }
            }
            return true;
        });
        List<Job> out = new ArrayList<>(best);
        out.sort(ranking);
        return out;
    }

    /**
     * The chart of a metric over successive submissions: the owner's latest {@code limit} SUCCEEDED jobs that carry
     * {@code metric}, oldest first ({@link RankOrder#SUBMISSION_ORDER}). This default pages through {@link #list}
     * newest first and stops when it has {@code limit}.
     */
    default List<Job> history(String owner, String metric, int limit) {
        List<Job> newestFirst = new ArrayList<>();
        forEachSucceeded(owner, job -> {
            if (job.metric(metric).isPresent()) {
                newestFirst.add(job);
            }
            return newestFirst.size() < limit;
        });
        newestFirst.sort(RankOrder.SUBMISSION_ORDER);
        return newestFirst;
    }

    /** Feeds the owner's SUCCEEDED jobs, newest first, to {@code visitor} until it answers false. */
    private void forEachSucceeded(String owner, Predicate<Job> visitor) {
        Optional<String> token = Optional.empty();
        do {
            JobPage page = list(owner, Optional.of(JobStatus.SUCCEEDED), 100, token);
            for (Job job : page.jobs()) {
                if (!visitor.test(job)) {
                    return;
                }
            }
            token = page.nextToken();
        } while (token.isPresent());
    }

    /** Every job not yet in a terminal status, of every owner (for recovery after a restart). */
    List<Job> findUnfinished();

    /** Removes the job; false when there was none. */
    boolean delete(JobId id);

    record CreateResult(Job job, boolean created) {
    }

    /** A client's Idempotency-Key and a fingerprint of what it sent with it. */
    record IdempotencyKey(String key, String requestFingerprint) {
    }

    /** A page of jobs and the token for the next page ({@link PagePosition#token}; empty on the last page). */
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

    /** A page token not of {@link PagePosition}'s form. */
    class InvalidPageTokenException extends RuntimeException {
        public InvalidPageTokenException() {
            super("nextToken is not a page position: send back a nextToken as a page of this listing gave it");
        }
    }
}
