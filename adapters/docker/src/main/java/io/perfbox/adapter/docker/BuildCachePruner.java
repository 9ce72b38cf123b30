package io.perfbox.adapter.docker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the engine's build cache within a size: after a build asks, one background prune down to the limit, least
 * recently used first. At most one prune per interval: requests meanwhile join the next one, so a burst of builds
 * costs one prune, no build waits for it, and a prune's process does not compete with every job's scan for the CPU
 * (the cache may grow past the limit by what the builds of one interval add).
 */
public final class BuildCachePruner {
    private static final Logger LOG = Logger.getLogger(BuildCachePruner.class.getName());
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    private final BuildKitCli cli;
    private final long keepBytes;
    private final long intervalNanos;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile long lastStart = Long.MIN_VALUE;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("build-cache-prune").factory());

    public BuildCachePruner(BuildKitCli cli, long keepBytes) {
        this(cli, keepBytes, DEFAULT_INTERVAL);
    }

    public BuildCachePruner(BuildKitCli cli, long keepBytes, Duration interval) {
        if (keepBytes < 0) {
            throw new IllegalArgumentException("the build cache size cannot be negative");
        }
        this.cli = cli;
        this.keepBytes = keepBytes;
        this.intervalNanos = interval.toNanos();
    }

    public long keepBytes() {
        return keepBytes;
    }

    /** Prunes now, in the caller's thread; false when the engine refused. */
    public boolean pruneNow() throws InterruptedException {
        lastStart = System.nanoTime();
        boolean ok = cli.prune(keepBytes);
        if (!ok) {
            LOG.warning("could not prune the build cache to " + keepBytes + " bytes");
        }
        return ok;
    }

    /** A prune in the background: at once if none ran in the last interval, else when the interval is over. */
    public void requested() {
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        long sinceLast = lastStart == Long.MIN_VALUE ? Long.MAX_VALUE : System.nanoTime() - lastStart;
        long delay = sinceLast >= intervalNanos ? 0 : intervalNanos - sinceLast;
        background.schedule(() -> {
            try {
                pending.set(false);
                pruneNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "pruning the build cache failed", e);
            }
        }, delay, TimeUnit.NANOSECONDS);
    }
}
