package io.perfbox.runtime.local.data;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ExpiredJobs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code serve --retain-days N}: finished jobs go N days after they finished, with everything they left: their
 * files (Dockerfile, logs, scan report), what the engine may still hold of them (container, image, workspace), then
 * their record; and the idempotency records made more than N days ago. Jobs under way are never touched
 * ({@link ExpiredJobs} finds and removes finished ones only), and the quotas keep counting what they counted: a
 * removed job's submission stays. It runs once at start and then every interval, and logs what it removed.
 *
 * <p>A job's files and engine resources go before its record: a crash half-way leaves a record the next sweep finds
 * again, never files no record names.
 */
public final class JobRetention implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobRetention.class.getName());
    /** Jobs read and removed per round of a sweep: a backlog of any size is removed in bounded memory. */
    static final int BATCH = 100;

    /** A job's files in the data dir. */
    public interface JobFiles {
        /** Bytes they take. */
        long bytes(JobId id);

        void delete(JobId id);

        /** The jobs whose files were last changed before {@code cutoff}, recorded or not. */
        default List<JobId> storedBefore(Instant cutoff) {
            return List.of();
        }
    }

    /** What the Docker engine may still hold of a job; returns how many images it removed. */
    @FunctionalInterface
    public interface EngineResources {
        int release(JobId id);
    }

    /** What one sweep removed. */
    public record Swept(int jobs, long bytes, int images, int idempotencyKeys, int orphans) {
        public Swept(int jobs, long bytes, int images, int idempotencyKeys) {
            this(jobs, bytes, images, idempotencyKeys, 0);
        }

        public boolean any() {
            return jobs > 0 || idempotencyKeys > 0 || images > 0 || orphans > 0;
        }

        @Override
        public String toString() {
            return jobs + " finished job(s) (" + bytes + " bytes of files, " + images + " image(s)) and "
                    + idempotencyKeys + " idempotency record(s)"
                    + (orphans > 0 ? ", and the files of " + orphans + " job(s) no record names" : "");
        }
    }

    private final ExpiredJobs store;
    private final Duration retain;
    private final Clock clock;
    private final JobFiles files;
    private final EngineResources engine;
    private final Predicate<JobId> recorded;
    private final Object sweeping = new Object();
    private ScheduledExecutorService scheduler;

    public JobRetention(ExpiredJobs store, Duration retain, Clock clock, JobFiles files, EngineResources engine) {
        this(store, retain, clock, files, engine, id -> true);
    }

    /**
     * As above; {@code recorded} tells whether the store holds a job, so that files unchanged for the retention whose
     * job has no record (a crash between a delete's two steps) go too.
     */
    public JobRetention(ExpiredJobs store, Duration retain, Clock clock, JobFiles files, EngineResources engine,
                        Predicate<JobId> recorded) {
        this.recorded = recorded;
        if (retain.isNegative() || retain.isZero()) {
            throw new IllegalArgumentException("the retention must be longer than zero");
        }
        this.store = store;
        this.retain = retain;
        this.clock = clock;
        this.files = files;
        this.engine = engine;
    }

    /** The jobs that finished before this are removed now. */
    public Instant cutoff() {
        return clock.instant().minus(retain);
    }

    /** Removes what is past the retention now; one sweep at a time. */
    public Swept sweep() {
        synchronized (sweeping) {
            Instant cutoff = cutoff();
            int jobs = 0;
            int images = 0;
            long bytes = 0;
            while (true) {
                List<Job> batch = store.finishedBefore(cutoff, BATCH);
                int removedNow = 0;
                for (Job job : batch) {
                    JobId id = job.id();
                    try {
                        long size = files.bytes(id);
                        files.delete(id);
                        images += engine.release(id);
                        if (store.removeFinished(id, cutoff)) {
                            removedNow++;
                            bytes += size;
                        }
                    } catch (RuntimeException e) {
                        // Its record stays, so the next sweep tries again; the other jobs go on.
                        LOG.log(Level.WARNING, "retention: could not remove job " + id, e);
                    }
                }
                jobs += removedNow;
                // A batch that removed nothing would come back the same: stop (the next sweep tries again).
                if (batch.size() < BATCH || removedNow == 0) {
                    break;
                }
            }
            int keys = store.forgetIdempotencyKeysBefore(cutoff);
            int orphans = 0;
            for (JobId id : files.storedBefore(cutoff)) {
                try {
                    // A job's files are written before its record (a submit saves the Dockerfile first), but not a
                    // retention ago: these have no job.
                    if (!recorded.test(id)) {
                        bytes += files.bytes(id);
                        files.delete(id);
                        orphans++;
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "retention: could not remove the files of " + id, e);
                }
            }
            Swept swept = new Swept(jobs, bytes, images, keys, orphans);
            if (swept.any()) {
                LOG.info("retention: removed " + swept + " older than " + retain.toDays() + " day(s), finished before " + cutoff);
            } else {
                LOG.fine("retention: nothing finished before " + cutoff);
            }
            return swept;
        }
    }

    /** Sweeps now (in the background, so a backlog does not hold up the start) and then every {@code interval}. */
    public synchronized void start(Duration interval) {
        if (scheduler != null) {
            throw new IllegalStateException("started already");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "perfbox-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::sweepQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // The next round tries again; a failed sweep never stops the server.
            LOG.log(Level.WARNING, "retention: the sweep failed", e);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
