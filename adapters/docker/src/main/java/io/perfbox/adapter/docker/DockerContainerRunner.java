package io.perfbox.adapter.docker;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A job's container, isolated: no network, every capability dropped, no new privileges, pids/memory/CPU limits
 * without swap, logs bounded on disk, and only the job's own workspace mounted (at /data).
 */
public class DockerContainerRunner implements ContainerRunner {
    private static final int MAX_LOG_BYTES = 1024 * 1024;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** How often the disk watchdog looks. */
    static final Duration DISK_POLL = Duration.ofMillis(200);
    /** Inodes are counted every this many looks (a process each time; bytes are a system call). */
    static final int FILES_EVERY = 5;

    private final DockerEngine engine;
    private final String storeId;
    /** The host directory mounted at /data for a job (the workspace adapter decides where it is). */
    private final Function<JobId, Path> dataDirectoryOf;
    private final DataBound dataBound;
    private final Optional<String> runtime;
    /** How writable layers are bounded on this engine, once known ({@link #layerCap}). */
    private volatile LayerCap layerCap;
    private final Optional<CpuPool> cpus;
    private final ReentrantLock layerCapLock = new ReentrantLock();
    private static final Logger LOG = Logger.getLogger(DockerContainerRunner.class.getName());

    /**
     * How a run's writable layer is bounded: by the engine's own size cap ({@code --storage-opt size}, a quota the
     * kernel holds, so files deleted while held open count too) where its storage driver has one and takes it, the
     * watchdog reporting the bound; else by the watchdog alone. {@code why}: for the log.
     */
    record LayerCap(DockerEngine.StorageQuota quota, String why) {
        boolean byTheKernel() {
            return quota != DockerEngine.StorageQuota.NONE;
        }
    }

    /**
     * Whether a job's /data has reached its bound. The bound itself is the kernel's (the job's /data is a file system
     * of its own, of the job's data size): this only tells the watchdog that the run has filled it, so the run ends
     * {@code DISK_LIMIT} rather than carrying on after its writes fail. {@code countFiles}: look at inodes too (a
     * costlier look, made less often).
     */
    @FunctionalInterface
    public interface DataBound {
        boolean reached(JobId id, boolean countFiles);
    }

    public DockerContainerRunner(DockerEngine engine, String storeId, Function<JobId, Path> dataDirectoryOf,
                                 DataBound dataBound) {
        this(engine, storeId, dataDirectoryOf, dataBound, Optional.empty());
    }

    /** Jobs' containers under the engine's container runtime {@code runtime} (empty: the engine's default). */
    public DockerContainerRunner(DockerEngine engine, String storeId, Function<JobId, Path> dataDirectoryOf,
                                 DataBound dataBound, Optional<String> runtime) {
        this(engine, storeId, dataDirectoryOf, dataBound, runtime, Optional.empty());
    }

    /**
     * With {@code cpus}, each run holds CPUs of its own from the pool while it lasts ({@code --cpuset-cpus}: see
     * {@link CpuPool}); empty: runs may use any CPU.
     */
    public DockerContainerRunner(DockerEngine engine, String storeId, Function<JobId, Path> dataDirectoryOf,
                                 DataBound dataBound, Optional<String> runtime, Optional<CpuPool> cpus) {
        this.cpus = cpus;
        this.engine = engine;
        this.storeId = storeId;
        this.dataDirectoryOf = dataDirectoryOf;
        this.dataBound = dataBound;
        this.runtime = runtime;
    }

    /** Through the docker CLI. */
    public DockerContainerRunner(DockerCli docker, String storeId, Function<JobId, Path> dataDirectoryOf,
                                 DataBound dataBound) {
        this(new DockerCliEngine(docker), storeId, dataDirectoryOf, dataBound);
    }

    @Override
    public RunOutcome run(JobId id, String imageRef, RunLimits limits, LogSink output) throws InterruptedException {
        // The name is unique to the job; leftovers of a crash are removed by the janitor at start-up.
        String name = DockerNames.containerName(id.value());
        long storageSize = storageSize(layerCap(imageRef), imageRef, limits.writableLayerBytes());
        Optional<CpuPool.Lease> lease = cpus.map(pool -> pool.acquire(limits.cpus()));
        lease.filter(l -> !l.own()).ifPresent(l -> LOG.warning("job " + id.value() + ": no CPU free for a run of its own;"
                + " it shares CPUs " + l.cpus() + " with other work"));
        try {
            return run(id, name, new DockerEngine.ContainerSpec(imageRef,
                    Map.of(DockerNames.STORE_LABEL, storeId, DockerNames.JOB_LABEL, id.value()), limits,
                    dataDirectoryOf.apply(id), runtime, storageSize, lease.map(CpuPool.Lease::cpus)), limits, output);
        } finally {
            lease.ifPresent(CpuPool.Lease::close);
        }
    }

    private RunOutcome run(JobId id, String name, DockerEngine.ContainerSpec spec, RunLimits limits, LogSink output)
            throws InterruptedException {
        LogFollower follower = null;
        try {
            Optional<String> notStarted = engine.createAndStart(name, spec, START_TIMEOUT);
            if (notStarted.isPresent()) {
                return new FailedToStart(notStarted.get(), engine.logs(name, MAX_LOG_BYTES));
            }
            follower = new LogFollower(name, limits.timeout().plusMinutes(1), output);
            DiskWatchdog watchdog = new DiskWatchdog(name, id, limits);
            boolean exited;
            try {
                exited = engine.await(name, limits.timeout());
            } finally {
                watchdog.stop();
            }
            if (!exited) {
                engine.kill(name);
                Optional<DiskArea> over = watchdog.exceeded();
                return over.isPresent() ? diskLimit(over.get(), limits, follower.finish())
                        : new TimedOut(limits.timeout(), follower.finish());
            }
            // A run that filled a limit and exited before the next look is caught here.
            Optional<DiskArea> over = watchdog.exceeded().or(() -> watchdog.measure(true));
            if (over.isPresent()) {
                return diskLimit(over.get(), limits, follower.finish());
            }
            Optional<DockerEngine.ExitState> state = engine.inspect(name);
            if (state.isEmpty()) {
                return new FailedToStart("the container vanished before its exit status was read", CapturedLog.EMPTY);
            }
            CapturedLog log = follower.finish();
            if (state.get().exitCode() != 0 && state.get().oomKilled()) {
                return new OutOfMemory(state.get().exitCode(), log);
            }
            return new Exited(state.get().exitCode(), log, state.get().oomKilled());
        } catch (InterruptedException e) {
            if (follower != null) {
                follower.cancel();
            }
            engine.removeContainer(name);
            throw e;
        }
    }

    /**
     * The engine's cap for a run of {@code image} whose layer may hold {@code layerBytes}; 0 when the engine has none.
     * A little over the bound (1/64 of it, at least 1 MiB), so that a run filling its layer with files it can see is
     * still found over the bound by the watchdog and ends {@code DISK_LIMIT}. btrfs counts the image's files too, and
     * its own metadata for them (debian:bookworm's 111 MiB were 119 MiB to its quota): the image's size and an eighth
     * more are added.
     */
    private long storageSize(LayerCap cap, String image, long layerBytes) throws InterruptedException {
        if (!cap.byTheKernel()) {
            return 0;
        }
        long size = layerBytes + Math.max(1024L * 1024, layerBytes / 64);
        try {
            if (cap.quota() == DockerEngine.StorageQuota.LAYER_AND_IMAGE) {
                long imageBytes = engine.imageSize(image);
                return size + imageBytes + imageBytes / 8;
            }
            return size;
        } catch (IllegalStateException e) {
            // The image's size unknown (gone?): the tighter cap; at worst the engine refuses to create the container.
            return size;
        }
    }

    /**
     * How this engine bounds writable layers: asked once (its storage driver, then a container created with a cap and
     * never started), remembered once the engine has answered. Until then runs are bounded by the watchdog alone.
     */
    LayerCap layerCap(String image) throws InterruptedException {
        LayerCap known = layerCap;
        if (known != null) {
            return known;
        }
        layerCapLock.lockInterruptibly();
        try {
            if (layerCap != null) {
                return layerCap;
            }
            Optional<String> driver = engine.storageDriver();
            if (driver.isEmpty()) {
                return new LayerCap(DockerEngine.StorageQuota.NONE, "the engine did not name its storage driver");
            }
            DockerEngine.StorageQuota quota = DockerEngine.StorageQuota.ofDriver(driver.get());
            LayerCap found;
            if (quota == DockerEngine.StorageQuota.NONE) {
                found = new LayerCap(quota, "the storage driver " + driver.get() + " has no size cap perfbox uses");
            } else {
                DockerEngine.StorageProbe probe = engine.probeStorageSize(image, Map.of(DockerNames.STORE_LABEL, storeId),
                        storageSize(new LayerCap(quota, ""), image, 1L << 30));
                if (!probe.answered()) {
                    return new LayerCap(DockerEngine.StorageQuota.NONE, "the engine did not answer whether it caps sizes");
                }
                found = probe.refusal().map(why -> new LayerCap(DockerEngine.StorageQuota.NONE, driver.get() + ": " + why))
                        .orElse(new LayerCap(quota, "the engine's " + driver.get() + " caps each run's size (--storage-opt size)"));
            }
            layerCap = found;
            LOG.info(() -> found.byTheKernel()
                    ? "writable layers: bounded by the kernel; " + found.why()
                    : "writable layers: bounded by the disk watchdog only, not the kernel; " + found.why());
            return found;
        } finally {
            layerCapLock.unlock();
        }
    }

    private static DiskLimitExceeded diskLimit(DiskArea area, RunLimits limits, CapturedLog log) {
        return new DiskLimitExceeded(area, area == DiskArea.DATA ? limits.dataBytes() : limits.writableLayerBytes(), log);
    }

    /**
     * Looks every {@link #DISK_POLL} whether the run has filled its /data file system (bytes; inodes every
     * {@link #FILES_EVERY}th look) or written more than its limit to its writable layer (as the engine counts it:
     * overlay2 on ext4 cannot cap a container's size itself), and kills the container as soon as either is so. The
     * first area found over its limit is remembered.
     */
    private final class DiskWatchdog {
        private final String name;
        private final JobId data;
        private final RunLimits limits;
        private final Thread thread;
        private volatile DiskArea exceeded;
        private volatile boolean stopped;

        DiskWatchdog(String name, JobId data, RunLimits limits) {
            this.name = name;
            this.data = data;
            this.limits = limits;
            this.thread = Thread.ofVirtual().name("disk-" + name).start(this::watch);
        }

        private void watch() {
            try {
                for (long look = 1; !stopped; look++) {
                    Optional<DiskArea> over = measure(look % FILES_EVERY == 0);
                    if (over.isPresent()) {
                        exceeded = over.get();
                        engine.kill(name);
                        return;
                    }
                    Thread.sleep(DISK_POLL);
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (RuntimeException e) {
                // the engine went away: the run's own wait reports it
            }
        }

        /** Which area is over its limit now, if any. */
        Optional<DiskArea> measure(boolean countFiles) {
            if (dataBound.reached(data, countFiles)) {
                return Optional.of(DiskArea.DATA);
            }
            try {
                OptionalLong layer = engine.writableLayerBytes(name);
                if (layer.isPresent() && layer.getAsLong() > limits.writableLayerBytes()) {
                    return Optional.of(DiskArea.WRITABLE_LAYER);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }

        Optional<DiskArea> exceeded() {
            return Optional.ofNullable(exceeded);
        }

        void stop() {
            stopped = true;
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Streams the container's output from its start into a bounded capture (and to the job's log as it comes), so a flood is counted (and flagged
     * truncated) however much of it the engine's rotated log file still holds at the end.
     */
    private final class LogFollower {
        private final String name;
        private final Thread thread;
        private volatile CapturedLog captured;

        LogFollower(String name, Duration max, LogSink output) {
            this.name = name;
            this.thread = Thread.ofVirtual().name("logs-" + name).start(() -> {
                try {
                    captured = engine.followLogs(name, MAX_LOG_BYTES, max, output);
                } catch (InterruptedException | RuntimeException e) {
                    // cancelled, or docker vanished: finish() falls back to reading the log afterwards
                }
            });
        }

        /** The captured output once the container has stopped (the follow ends with it). */
        CapturedLog finish() {
            try {
                thread.join(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (captured == null) {
                thread.interrupt();
                return engine.logs(name, MAX_LOG_BYTES);
            }
            return captured;
        }

        void cancel() {
            thread.interrupt();
        }
    }

    /**
     * The run's conditions from the container's HostConfig (its runtime, else the engine's default; its cpuset) and
     * the engine's info (the kernel), with the host's CPU model from /proc/cpuinfo (the engine's host is this one:
     * perfbox drives a local engine). What the engine cannot say is left out, never an error.
     */
    @Override
    public RunReceipt conditions(JobId id, RunLimits limits) {
        Optional<DockerEngine.RunConfig> config;
        try {
            config = engine.runConfig(DockerNames.containerName(id.value()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            config = Optional.empty();
        } catch (RuntimeException e) {
            config = Optional.empty();
        }
        String runtimeName = config.map(c -> c.runtime() != null ? c.runtime() : c.defaultRuntime())
                .orElse(runtime.orElse(null));
        return RunReceipt.ran(limits.receipt(), config.map(DockerEngine.RunConfig::cpuset).orElse(null), runtimeName,
                HostCpu.model(), config.map(DockerEngine.RunConfig::kernel).orElse(null));
    }

    /** The host's CPU model, as /proc/cpuinfo names it (read once). */
    static final class HostCpu {
        private static volatile String model;

        static String model() {
            String m = model;
            if (m == null) {
                m = modelIn(Path.of("/proc/cpuinfo"));
                model = m;
            }
            return m.isEmpty() ? null : m;
        }

        /** The first "model name" (x86) or "Model"/"Processor" (ARM) line's value; "" when there is none. */
        static String modelIn(Path cpuinfo) {
            try (var lines = Files.lines(cpuinfo)) {
                return lines.map(l -> l.split(":", 2)).filter(kv -> kv.length == 2)
                        .filter(kv -> kv[0].strip().equals("model name") || kv[0].strip().equals("Model")
                                || kv[0].strip().equals("Processor"))
                        .map(kv -> kv[1].strip()).filter(v -> !v.isEmpty()).findFirst().orElse("");
            } catch (IOException | UncheckedIOException e) {
                return "";
            }
        }
    }

    @Override
    public void remove(JobId id) {
        engine.removeContainer(DockerNames.containerName(id.value()));
    }
}
