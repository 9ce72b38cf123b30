package io.perfbox.adapter.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cgroup (v1: memory, pids, cpu) of one build, holding its limits, that the classic builder puts every RUN step's
 * container under ({@code --cgroup-parent}): the steps together cannot pass them. After the build it says which limit
 * the build reached. Made per build, removed after it.
 */
final class BuildCgroup implements AutoCloseable {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final String PARENT = "perfbox-build";
    private final String name;
    private final DockerImageBuilder.BuildLimits limits;

    private BuildCgroup(String name, DockerImageBuilder.BuildLimits limits) {
        this.name = name;
        this.limits = limits;
    }

    /** Whether this host has the cgroup v1 controllers a build's limits need, writable. */
    static boolean available() {
        return Files.isWritable(ROOT.resolve("memory")) && Files.isWritable(ROOT.resolve("pids"))
                && Files.isWritable(ROOT.resolve("cpu"));
    }

    static BuildCgroup create(String name, DockerImageBuilder.BuildLimits limits) {
        BuildCgroup g = new BuildCgroup(name, limits);
        try {
            write(g.dir("memory"), "memory.limit_in_bytes", Long.toString(limits.memoryBytes()));
            if (Files.exists(g.dir("memory").resolve("memory.memsw.limit_in_bytes"))) {
                // No swap, as for runs.
                write(g.dir("memory"), "memory.memsw.limit_in_bytes", Long.toString(limits.memoryBytes()));
            }
            write(g.dir("pids"), "pids.max", Integer.toString(limits.pids()));
            long period = 100_000;
            write(g.dir("cpu"), "cpu.cfs_period_us", Long.toString(period));
            write(g.dir("cpu"), "cpu.cfs_quota_us", Long.toString(Math.max(1000, Math.round(limits.cpus() * period))));
            if (limits.cpuPool() != null) {
                // The CPUs no run holds when the build starts (the classic builder's steps keep them: README, CPUs).
                // A cpuset cgroup v1 starts empty: its parent, then it, need CPUs and memory nodes before any task.
                Path parent = ROOT.resolve("cpuset").resolve(PARENT);
                Files.createDirectories(parent);
                String mems = Files.readString(ROOT.resolve("cpuset").resolve("cpuset.mems")).strip();
                if (Files.readString(parent.resolve("cpuset.cpus")).isBlank()) {
                    write(parent, "cpuset.cpus", Files.readString(ROOT.resolve("cpuset").resolve("cpuset.cpus")).strip());
                }
                if (Files.readString(parent.resolve("cpuset.mems")).isBlank()) {
                    write(parent, "cpuset.mems", mems);
                }
                write(g.dir("cpuset"), "cpuset.mems", mems);
                write(g.dir("cpuset"), "cpuset.cpus", limits.cpuPool().unheld());
            }
        } catch (IOException e) {
            g.close();
            throw new IllegalStateException("cannot make the build's cgroup: " + e.getMessage(), e);
        }
        return g;
    }

    /** What the steps' containers are put under. */
    String parent() {
        return "/" + PARENT + "/" + name;
    }

    private Path dir(String controller) throws IOException {
        Path d = ROOT.resolve(controller).resolve(PARENT).resolve(name);
        Files.createDirectories(d);
        return d;
    }

    private static void write(Path dir, String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII);
    }

    private long read(String controller, String file) {
        try {
            return Long.parseLong(Files.readString(ROOT.resolve(controller).resolve(PARENT).resolve(name).resolve(file)).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private long oomKills() {
        try {
            for (String line : Files.readAllLines(ROOT.resolve("memory").resolve(PARENT).resolve(name).resolve("memory.oom_control"))) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring(9).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not told
        }
        return -1;
    }

    /** The limit the build reached, in words, if it reached one (memory: a process killed for it). */
    Optional<String> reached() {
        // An OOM kill is counted in the step's own cgroup, gone by now: the peak at the ceiling tells it instead (within
        // a MiB; page cache reclaimed at the ceiling counts too, and then the build failed at its limit all the same).
        if (oomKills() > 0 || read("memory", "memory.max_usage_in_bytes") >= limits.memoryBytes() - 1024 * 1024) {
            return Optional.of(memoryWords(limits));
        }
        if (read("pids", "pids.peak") >= limits.pids()) {
            return Optional.of(pidsWords(limits));
        }
        return Optional.empty();
    }

    static String memoryWords(DockerImageBuilder.BuildLimits limits) {
        return "the build's memory limit (" + mebibytes(limits.memoryBytes()) + ", --build-memory)";
    }

    static String pidsWords(DockerImageBuilder.BuildLimits limits) {
        return "the build's process limit (" + limits.pids() + ", --build-pids)";
    }

    private static String mebibytes(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    /** Removes the cgroup (its steps' containers are gone once the build has returned: --force-rm). */
    @Override
    public void close() {
        for (String controller : new String[] {"memory", "pids", "cpu", "cpuset"}) {
            Path d = ROOT.resolve(controller).resolve(PARENT).resolve(name);
            for (int attempt = 0; attempt < 50 && Files.exists(d); attempt++) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
