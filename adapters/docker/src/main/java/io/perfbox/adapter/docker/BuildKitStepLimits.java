package io.perfbox.adapter.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * BuildKit on Docker 20.10 ignores {@code --cgroup-parent}: every RUN step runs in a cgroup of its own under
 * {@code /docker/buildkit/}. While builds of this builder are under way, a watcher looks there every
 * {@link #POLL_MILLIS} ms and writes the build limits onto each new step's cgroup (memory without swap, pids, CPU);
 * from then the kernel holds them. A step may pass them in the few milliseconds before (a fork bomb by a handful of
 * processes), never for longer. It also remembers which limit a step reached, for the failure message. The engine's
 * BuildKit is one for all its builds: the operator's own BuildKit builds on this engine are held too while perfbox
 * builds.
 */
final class BuildKitStepLimits {
    static final long POLL_MILLIS = 10;
    private static final Path BUILDKIT = Path.of("docker", "buildkit");
    private final DockerImageBuilder.BuildLimits limits;
    private final AtomicInteger active = new AtomicInteger();
    private final Set<Build> builds = ConcurrentHashMap.newKeySet();
    private final Set<String> limited = new HashSet<>();
    /** The pool's generation the present steps' CPUs were written for. */
    private long cpusApplied = -1;
    private Thread watcher;

    BuildKitStepLimits(DockerImageBuilder.BuildLimits limits) {
        this.limits = limits;
    }

    /** One build's view: the limit a step reached while it lasted. */
    final class Build implements AutoCloseable {
        private volatile String reached;

        Optional<String> reached() {
            return Optional.ofNullable(reached);
        }

        @Override
        public void close() {
            builds.remove(this);
            if (active.decrementAndGet() == 0) {
                synchronized (BuildKitStepLimits.this) {
                    // the watcher ends by itself once no build is active
                }
            }
        }
    }

    Build begin() {
        Build b = new Build();
        builds.add(b);
        active.incrementAndGet();
        synchronized (this) {
            if (watcher == null || !watcher.isAlive()) {
                watcher = Thread.ofPlatform().daemon().name("buildkit-step-limits").start(this::watch);
            }
        }
        return b;
    }

    private void watch() {
        try {
            while (true) {
                synchronized (this) {
                    if (active.get() == 0) {
                        watcher = null;
                        return;
                    }
                }
                look();
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void look() {
        Path pids = BuildCgroup.ROOT.resolve("pids").resolve(BUILDKIT);
        Set<String> present = new HashSet<>();
        try (Stream<Path> s = Files.list(pids)) {
            s.filter(Files::isDirectory).forEach(p -> present.add(p.getFileName().toString()));
        } catch (IOException e) {
            return;
        }
        limited.retainAll(present);
        // A run took or gave back CPUs since the last look: every step moves onto the CPUs no run holds now.
        boolean moved = limits.cpuPool() != null && limits.cpuPool().generation() != cpusApplied;
        if (moved) {
            cpusApplied = limits.cpuPool().generation();
        }
        for (String step : present) {
            if (limited.add(step)) {
                apply(step);
            } else if (moved) {
                applyCpus(step);
            }
            String over = reached(step);
            if (over != null) {
                builds.forEach(b -> b.reached = over);
            }
        }
    }

    private void apply(String step) {
        try {
            Path mem = BuildCgroup.ROOT.resolve("memory").resolve(BUILDKIT).resolve(step);
            write(mem.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) {
                write(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            }
            write(BuildCgroup.ROOT.resolve("pids").resolve(BUILDKIT).resolve(step).resolve("pids.max"),
                    Integer.toString(limits.pids()));
            Path cpu = BuildCgroup.ROOT.resolve("cpu").resolve(BUILDKIT).resolve(step);
            write(cpu.resolve("cpu.cfs_period_us"), "100000");
            write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(Math.max(1000, Math.round(limits.cpus() * 100_000))));
        } catch (IOException e) {
            // the step ended already
        }
        applyCpus(step);
    }

    /** The step's processes onto the CPUs no run holds (the cpuset controller moves them at once). */
    private void applyCpus(String step) {
        if (limits.cpuPool() == null) {
            return;
        }
        try {
            write(BuildCgroup.ROOT.resolve("cpuset").resolve(BUILDKIT).resolve(step).resolve("cpuset.cpus"),
                    limits.cpuPool().unheld());
        } catch (IOException e) {
            // the step ended already
        }
    }

    private String reached(String step) {
        long peakMemory = read(BuildCgroup.ROOT.resolve("memory").resolve(BUILDKIT).resolve(step).resolve("memory.max_usage_in_bytes"));
        if (peakMemory >= limits.memoryBytes() - 1024 * 1024) {
            return BuildCgroup.memoryWords(limits);
        }
        long peakPids = read(BuildCgroup.ROOT.resolve("pids").resolve(BUILDKIT).resolve(step).resolve("pids.peak"));
        if (peakPids >= limits.pids()) {
            return BuildCgroup.pidsWords(limits);
        }
        return null;
    }

    private static long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }
}
