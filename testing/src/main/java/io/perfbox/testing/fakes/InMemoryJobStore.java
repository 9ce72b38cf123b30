package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.PagePosition;
import io.perfbox.core.port.TenantUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A JobStore (and its TenantUsage) in maps, for unit tests; passes the same contracts as the real adapters. */
public class InMemoryJobStore implements JobStore, TenantUsage, ExpiredJobs {
    private static final Comparator<Job> NEWEST_FIRST =
            Comparator.comparing(Job::createdAt).thenComparing(j -> j.id().value()).reversed();

    private final Map<JobId, Job> jobs = new HashMap<>();
    private final Map<String, IdempotencyRecord> idempotency = new HashMap<>();

    /** Submissions by job, in the order they were made; they outlive their jobs. */
    private final Map<JobId, Submission> submissions = new LinkedHashMap<>();

    private record IdempotencyRecord(JobId jobId, String fingerprint, Instant madeAt) {
    }

    private record Submission(String owner, Instant at, boolean counts) {
    }

    @Override
    public synchronized CreateResult create(Job job, Optional<IdempotencyKey> key) {
        if (key.isPresent()) {
            String k = job.owner() + "\n" + key.get().key();
            IdempotencyRecord existing = idempotency.get(k);
            if (existing != null) {
                if (!existing.fingerprint().equals(key.get().requestFingerprint())) {
                    throw new IdempotencyConflictException(key.get().key());
                }
                Job earlier = jobs.get(existing.jobId());
                if (earlier != null) {
                    return new CreateResult(earlier, false);
                }
            }
            idempotency.put(k, new IdempotencyRecord(job.id(), key.get().requestFingerprint(), job.createdAt()));
        }
        if (jobs.putIfAbsent(job.id(), job) != null) {
            throw new IllegalStateException("job " + job.id() + " exists already");
        }
        Instant cutoff = job.createdAt().minus(RETENTION);
        submissions.values().removeIf(s -> s.at().isBefore(cutoff));
        submissions.put(job.id(), new Submission(job.owner(), job.createdAt(), true));
        return new CreateResult(job, true);
    }

    @Override
    public synchronized Optional<Job> find(JobId id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public synchronized boolean update(Job updated, Set<JobStatus> expected) {
        Job current = jobs.get(updated.id());
        if (current == null || !expected.contains(current.status())) {
            return false;
        }
        jobs.put(updated.id(), updated);
        if (updated.failedThroughPlatformFault()) {
            submissions.computeIfPresent(updated.id(), (id, s) -> new Submission(s.owner(), s.at(), false));
        }
        return true;
    }

    @Override
    public synchronized JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken) {
        Optional<String> before = pageToken.map(t -> PagePosition.parse(t).sortKey());
        List<Job> sorted = jobs.values().stream()
                .filter(j -> j.owner().equals(owner))
                .sorted(NEWEST_FIRST)
                .filter(j -> before.isEmpty() || PagePosition.after(j).sortKey().compareTo(before.get()) < 0)
                .filter(j -> status.isEmpty() || j.status() == status.get())
                .toList();
        List<Job> page = new ArrayList<>(sorted.subList(0, Math.min(limit, sorted.size())));
        Optional<String> next = sorted.size() > limit
                ? Optional.of(PagePosition.after(page.get(page.size() - 1)).token()) : Optional.empty();
        return new JobPage(page, next);
    }

    @Override
    public synchronized List<Job> findUnfinished() {
        return jobs.values().stream().filter(j -> !j.status().isTerminal()).toList();
    }

    @Override
    public synchronized boolean delete(JobId id) {
        return jobs.remove(id) != null;
    }

    @Override
    public synchronized int countActive(String owner) {
        return (int) jobs.values().stream().filter(j -> j.owner().equals(owner) && !j.status().isTerminal()).count();
    }

    @Override
    public synchronized Submissions submissionsSince(String owner, Instant since) {
        List<Instant> counted = submissions.values().stream()
                .filter(s -> s.owner().equals(owner) && s.counts() && !s.at().isBefore(since))
                .map(Submission::at).toList();
        return new Submissions(counted.size(), counted.stream().min(Comparator.naturalOrder()));
    }

    @Override
    public synchronized List<Job> finishedBefore(Instant cutoff, int limit) {
        return jobs.values().stream().filter(j -> j.status().isTerminal() && ExpiredJobs.finishedAt(j).isBefore(cutoff))
                .sorted(Comparator.comparing(ExpiredJobs::finishedAt).thenComparing(j -> j.id().value()))
                .limit(limit).toList();
    }

    @Override
    public synchronized boolean removeFinished(JobId id, Instant cutoff) {
        Job job = jobs.get(id);
        if (job == null || !job.status().isTerminal() || !ExpiredJobs.finishedAt(job).isBefore(cutoff)) {
            return false;
        }
        jobs.remove(id);
        return true;
    }

    @Override
    public synchronized int forgetIdempotencyKeysBefore(Instant cutoff) {
        int before = idempotency.size();
        idempotency.values().removeIf(r -> r.madeAt().isBefore(cutoff));
        return before - idempotency.size();
    }
}
