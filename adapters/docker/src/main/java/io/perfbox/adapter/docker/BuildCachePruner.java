package io.perfbox.adapter.docker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the engine's build cache within a size: after a build asks, one background prune down to the limit, least
 * recently used first (requests while one is pending join it, so a burst of builds costs one prune, and no build
 * waits for it).
 */
public final class BuildCachePruner {
    private static final Logger LOG = Logger.getLogger(BuildCachePruner.class.getName());

    private final BuildKitCli cli;
    private final long keepBytes;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** One prune at a time; at most one more waits behind it. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("build-cache-prune").factory());

    public BuildCachePruner(BuildKitCli cli, long keepBytes) {
        if (keepBytes < 0) {
            throw new IllegalArgumentException("the build cache size cannot be negative");
        }
        this.cli = cli;
        this.keepBytes = keepBytes;
    }

    public long keepBytes() {
        return keepBytes;
    }

    /** Prunes now, in the caller's thread; false when the engine refused. */
    public boolean pruneNow() throws InterruptedException {
        boolean ok = cli.prune(keepBytes);
        if (!ok) {
            LOG.warning("could not prune the build cache to " + keepBytes + " bytes");
        }
        return ok;
    }

    /** A prune soon, in the background. */
    public void requested() {
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        background.execute(() -> {
            try {
                pending.set(false);
                pruneNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "pruning the build cache failed", e);
            }
        });
    }
}
