package io.perfbox.runtime.local;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.runtime.local.observe.JobChanges;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A read-through cache of jobs in front of the store of a local server. Clients poll GET /jobs/{id}, and every
 * read of the embedded DynamoDB costs an HTTP call and a query on its single SQLite thread; this answers them from
 * memory. It is exact, not eventually consistent, because this server is the only writer of its store (its data
 * directory is locked to it) and every write goes through here: a write reaches the store first and then replaces
 * (or, when refused or failed, drops) the cached copy, under the job's lock, which a read that misses holds too
 * while it loads. So a slow load can never put an older copy over a newer write.
 */
public final class CachedJobStore implements JobStore {
    private static final int LOCK_STRIPES = 64;

    private final JobStore store;
    private final int capacity;
    private final Map<JobId, Job> cache = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    /** Told of every write that succeeded, under the job's lock (so in the order they happened). */
    private volatile JobChanges changes = JobChanges.NONE;

    /** {@code capacity}: most jobs kept (beyond it some are dropped and read again from the store when asked for). */
    public CachedJobStore(JobStore store, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.store = store;
        this.capacity = capacity;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** From now on {@code changes} is told of every successful write (the server's metrics count them). */
    public CachedJobStore observedBy(JobChanges changes) {
        this.changes = changes;
        return this;
    }

    /** A listener's failure never undoes nor fails a write that happened. */
    private void tell(Consumer<JobChanges> event) {
        try {
            event.accept(changes);
        } catch (RuntimeException e) {
            Logger.getLogger(CachedJobStore.class.getName())
                    .log(Level.WARNING, "a job change listener failed", e);
        }
    }

    private ReentrantLock lockOf(JobId id) {
        return locks[Math.floorMod(id.hashCode(), LOCK_STRIPES)];
    }

    @Override
    public CreateResult create(Job job, Optional<IdempotencyKey> idempotencyKey) {
        ReentrantLock lock = lockOf(job.id());
        lock.lock();
        try {
            CreateResult result = store.create(job, idempotencyKey);
            if (result.created()) {
                keep(job);
                tell(c -> c.created(job));
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Job> find(JobId id) {
        Job cached = cache.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            cached = cache.get(id);
            if (cached != null) {
                return Optional.of(cached);
            }
            Optional<Job> loaded = store.find(id);
            loaded.ifPresent(this::keep);
            return loaded;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean update(Job updated, Set<JobStatus> expected) {
        ReentrantLock lock = lockOf(updated.id());
        lock.lock();
        try {
            boolean written;
            try {
                written = store.update(updated, expected);
            } catch (RuntimeException e) {
                // The write may or may not have happened: read the store again next time.
                cache.remove(updated.id());
                throw e;
            }
            if (written) {
                keep(updated);
                tell(c -> c.updated(updated));
            } else {
                cache.remove(updated.id());
            }
            return written;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(JobId id) {
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            boolean deleted = store.delete(id);
            if (deleted) {
                tell(c -> c.deleted(id));
            }
            return deleted;
        } finally {
            cache.remove(id);
            lock.unlock();
        }
    }

    /**
     * {@code expired} (this cache's own store) as the retention sees it: its removals go through here, under the job's
     * lock, so the cache forgets the job and the observers hear of it as of a delete.
     */
    public ExpiredJobs expiring(ExpiredJobs expired) {
        return new ExpiredJobs() {
            @Override
            public List<Job> finishedBefore(Instant cutoff, int limit) {
                return expired.finishedBefore(cutoff, limit);
            }

            @Override
            public boolean removeFinished(JobId id, Instant cutoff) {
                ReentrantLock lock = lockOf(id);
                lock.lock();
                try {
                    boolean removed = expired.removeFinished(id, cutoff);
                    if (removed) {
                        tell(c -> c.deleted(id));
                    }
                    return removed;
                } finally {
                    cache.remove(id);
                    lock.unlock();
                }
            }

            @Override
            public int forgetIdempotencyKeysBefore(Instant cutoff) {
                return expired.forgetIdempotencyKeysBefore(cutoff);
            }
        };
    }

    /** Pages come from the store: it alone has the owner index and issues the page tokens. */
    @Override
    public JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken) {
        return store.list(owner, status, limit, pageToken);
    }

    /** The store's own (SQLite's walks an index), not the default over list. */
    @Override
    public List<Job> ranked(String owner, String metric, RankOrder order, int limit) {
        return store.ranked(owner, metric, order, limit);
    }

    @Override
    public List<Job> history(String owner, String metric, int limit) {
        return store.history(owner, metric, limit);
    }

    @Override
    public List<Job> findUnfinished() {
        return store.findUnfinished();
    }

    /** Called with the job's lock held. */
    private void keep(Job job) {
        cache.put(job.id(), job);
        if (cache.size() > capacity) {
            // Dropping is always safe (the next read loads the job again); finished jobs go first.
            evictOne(job.id());
        }
    }

    private void evictOne(JobId keep) {
        JobId victim = null;
        for (Iterator<Map.Entry<JobId, Job>> it = cache.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<JobId, Job> e = it.next();
            if (e.getKey().equals(keep)) {
                continue;
            }
            if (e.getValue().status().isTerminal()) {
                victim = e.getKey();
                break;
            }
            if (victim == null) {
                victim = e.getKey();
            }
        }
        if (victim != null) {
            cache.remove(victim);
        }
    }

    /** Jobs held in memory now (for tests). */
    int size() {
        return cache.size();
    }
}
