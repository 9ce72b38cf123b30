package io.perfbox.runtime.local.backend;

import io.perfbox.adapter.trivy.TrivyScanner;
import io.perfbox.adapter.trivy.TrivySettings;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.runtime.local.LocalConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Where the local runtime builds and runs jobs: the three ports a job's build and run go through (its builder, its
 * runner, its /data workspace) and the clean-up of what they leave. The server knows no engine: it asks
 * {@link #open} for one and wires the ports it gets. A new runner is one class here that implements this, its
 * adapters (each port's test extending the port's contract in {@code io.perfbox.testing.contract}), and one line in
 * {@link #open}.
 */
public interface RunnerBackend extends AutoCloseable {

    /**
     * The one place the backend is chosen: the local Docker engine (the only backend so far). Checks that the
     * engine answers (and knows {@code --runtime}) before anything else, then sets up builds, runs and workspaces.
     */
    static RunnerBackend open(LocalConfig config, Path dataDir, String storeId) throws IOException {
        return LocalEngineBackend.open(config, dataDir, storeId);
    }

    ImageBuilder builder();

    ContainerRunner runner();

    JobWorkspace workspace();

    /** The scanner the jobs' images are scanned with (its image fallback, where it has one, runs on this backend). */
    TrivyScanner scanner(TrivySettings settings);

    /**
     * At start, before recovery: removes what an earlier server of this data dir left (containers, images, build
     * leftovers, workspaces); says what, for the log.
     */
    String removeLeftovers();

    /** What the backend still holds of a finished job (retention): removes it; returns how many images went. */
    int removeJob(JobId id);

    /** At shutdown: removes what a job stopped mid-way can leave behind; says what, for the log. */
    String removeAll();

    /** How builds, runs and clean-ups reach the engine, for the log. */
    String describe();

    /** Whether the engine answers now (the server's readiness). */
    boolean ping() throws InterruptedException;

    /** The bytes the build cache holds, when the engine says (the server's metrics). */
    OptionalLong buildCacheBytes() throws InterruptedException;

    /** What the start-up message says of CPUs: whose they are, and what is shared where there are too few. */
    String cpuLine(int workers, double cpuLimit);

    /** Undoes what {@link #open} set up for builds (their network); never throws. */
    @Override
    void close();
}
