package io.perfbox.runtime.local;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobPipeline;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.port.PipelineLauncher;
import io.perfbox.logging.JobLogContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs job pipelines on a bounded pool of workers; jobs beyond it wait (a submit never blocks) in one queue per
 * tenant, and a free worker takes the next job from the tenants in turn (round-robin), so one tenant's burst does not
 * starve another tenant's single job. Stopping a job removes it from its queue, or interrupts its worker, which kills
 * its build or container.
 */
public class LocalJobExecutor implements PipelineLauncher, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalJobExecutor.class.getName());
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final JobPipeline pipeline;
    private final JobLifecycle lifecycle;
    private final Function<JobId, String> tenantOf;
    private final ThreadPoolExecutor pool;
    private final Map<JobId, Tracked> tracked = new ConcurrentHashMap<>();
    /** Guards the queues, the turn order and every Tracked's state. */
    private final Object lock = new Object();
    private final Map<String, ArrayDeque<JobId>> queues = new HashMap<>();
    /** Tenants with queued jobs, in the order they get their next turn. */
    private final ArrayDeque<String> turns = new ArrayDeque<>();

    private enum State { QUEUED, RUNNING, CANCELLED }

    /** A job handed to the executor: its tenant, its state, its worker while it runs, a latch released when it ends. */
    private static final class Tracked {
        final CountDownLatch done = new CountDownLatch(1);
        final String tenant;
        State state = State.QUEUED;
        Thread worker;

        Tracked(String tenant) {
            this.tenant = tenant;
        }
    }

    /** One queue for every job (no tenants). */
    public LocalJobExecutor(JobPipeline pipeline, JobLifecycle lifecycle, int workers) {
        this(pipeline, lifecycle, workers, id -> "");
    }

    /** {@code tenantOf}: the tenant a job belongs to, whose queue it waits in. */
    public LocalJobExecutor(JobPipeline pipeline, JobLifecycle lifecycle, int workers, Function<JobId, String> tenantOf) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1");
        }
        this.pipeline = pipeline;
        this.lifecycle = lifecycle;
        this.tenantOf = tenantOf;
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
        String tenant;
        try {
            tenant = tenantOf.apply(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + id + ": tenant unknown, queued with no tenant", e);
            tenant = "";
        }
        Tracked t = new Tracked(tenant == null ? "" : tenant);
        if (tracked.putIfAbsent(id, t) != null) {
            return;
        }
        synchronized (lock) {
            ArrayDeque<JobId> queue = queues.computeIfAbsent(t.tenant, k -> new ArrayDeque<>());
            if (queue.isEmpty()) {
                turns.addLast(t.tenant);
            }
            queue.addLast(id);
        }
        // One pool task per queued job; each runs whichever job is next in turn, not necessarily this one.
        pool.execute(this::runNext);
    }

    /** Takes the next job in turn (under the lock), marks it running on this thread; null if none is left. */
    private JobId takeNext() {
        synchronized (lock) {
            String tenant = turns.pollFirst();
            if (tenant == null) {
                return null;
            }
            ArrayDeque<JobId> queue = queues.get(tenant);
            JobId id = queue.pollFirst();
            if (queue.isEmpty()) {
                queues.remove(tenant);
            } else {
                turns.addLast(tenant);
            }
            Tracked t = tracked.get(id);
            t.state = State.RUNNING;
            t.worker = Thread.currentThread();
            return id;
        }
    }

    private void runNext() {
        JobId id = takeNext();
        if (id == null) {
            return;
        }
        Tracked t = tracked.get(id);
        JobLogContext.set(id.value());
        try {
            pipeline.execute(id);
        } catch (InterruptedException e) {
            LOG.info("job " + id + ": worker interrupted, pipeline stopped");
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "job " + id + ": pipeline crashed", e);
            lifecycle.fail(id, StepOutcomes.internal("the job's pipeline crashed: " + e.getClass().getSimpleName()));
        } finally {
            synchronized (lock) {
                t.worker = null;
            }
            tracked.remove(id, t);
            t.done.countDown();
            JobLogContext.clear();
        }
    }

    /** Cancels a queued job before it starts, or interrupts a running one and waits until it has cleaned up. */
    @Override
    public void stop(JobId id) {
        Tracked t = tracked.get(id);
        if (t == null) {
            return;
        }
        synchronized (lock) {
            if (t.state == State.QUEUED) {
                // Still waiting: it will never run, so there is nothing to wait for.
                t.state = State.CANCELLED;
                ArrayDeque<JobId> queue = queues.get(t.tenant);
                if (queue != null && queue.remove(id) && queue.isEmpty()) {
                    queues.remove(t.tenant);
                    turns.remove(t.tenant);
                }
                tracked.remove(id, t);
                t.done.countDown();
                return;
            }
            if (t.worker != null) {
                t.worker.interrupt();
            }
        }
        try {
            if (!t.done.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("job " + id + ": still stopping after " + STOP_WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Jobs waiting for a worker, per tenant ("" for jobs of no tenant); tenants with none are left out. */
    public Map<String, Integer> queuedByTenant() {
        synchronized (lock) {
            Map<String, Integer> out = new HashMap<>();
            queues.forEach((tenant, queue) -> out.put(tenant, queue.size()));
            return out;
        }
    }

    /** Workers running a job now. */
    public int busyWorkers() {
        synchronized (lock) {
            int busy = 0;
            for (Tracked t : tracked.values()) {
                if (t.worker != null) {
                    busy++;
                }
            }
            return busy;
        }
    }

    /** Workers configured. */
    public int workers() {
        return pool.getMaximumPoolSize();
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
