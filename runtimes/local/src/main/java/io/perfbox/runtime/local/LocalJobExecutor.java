package io.perfbox.runtime.local;

import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobPipeline;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.PipelineLauncher;
import io.perfbox.logging.JobLogContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs job pipelines on a bounded pool of workers; jobs beyond it wait in an unbounded queue (a submit never
 * blocks). Stopping a job cancels it in the queue, or interrupts its worker, which kills its build or container.
 */
public class LocalJobExecutor implements PipelineLauncher, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalJobExecutor.class.getName());
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final JobPipeline pipeline;
    private final JobLifecycle lifecycle;
    private final ThreadPoolExecutor pool;
    private final Map<JobId, Tracked> tracked = new ConcurrentHashMap<>();

    /** A job handed to the pool: its task, whether a worker began it, and a latch released when it ends. */
    private static final class Tracked {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicBoolean started = new AtomicBoolean();
        volatile Future<?> future;
    }

    public LocalJobExecutor(JobPipeline pipeline, JobLifecycle lifecycle, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        this.pipeline = pipeline;
        this.lifecycle = lifecycle;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "perfbox-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Override
    public void start(JobId id) {
        Tracked t = new Tracked();
        if (tracked.putIfAbsent(id, t) != null) {
            return;
        }
        t.future = pool.submit(() -> runOne(id, t));
    }

    private void runOne(JobId id, Tracked t) {
        t.started.set(true);
        JobLogContext.set(id.value());
        try {
            pipeline.execute(id);
        } catch (InterruptedException e) {
            LOG.info("job " + id + ": worker interrupted, pipeline stopped");
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "job " + id + ": pipeline crashed", e);
            lifecycle.fail(id, StepOutcomes.internal("the job's pipeline crashed: " + e.getClass().getSimpleName()));
        } finally {
            tracked.remove(id, t);
            t.done.countDown();
            JobLogContext.clear();
        }
    }

    /** Cancels a queued job before it starts, or interrupts a running one and waits until it has cleaned up. */
    @Override
    public void stop(JobId id) {
        Tracked t = tracked.get(id);
        if (t == null || t.future == null) {
            return;
        }
        t.future.cancel(true);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        try {
            while (!t.done.await(100, TimeUnit.MILLISECONDS)) {
                if (!t.started.get() && t.future.isCancelled()) {
                    // Cancelled while still queued: its task will never run, so there is nothing to wait for.
                    tracked.remove(id, t);
                    pool.purge();
                    return;
                }
                if (System.nanoTime() > deadline) {
                    LOG.warning("job " + id + ": still stopping after " + STOP_WAIT.toSeconds() + " s");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Jobs waiting for a worker plus jobs running. */
    public int pending() {
        return tracked.size();
    }

    /** Stops taking jobs and interrupts running ones (their builds and containers are stopped). */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warning("workers still busy after " + STOP_WAIT.toSeconds() + " s at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
