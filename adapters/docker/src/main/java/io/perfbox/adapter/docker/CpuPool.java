package io.perfbox.adapter.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The host's CPUs as perfbox hands them out, so that a job's number does not depend on its neighbours: a run holds
 * CPUs of its own ({@code --cpuset-cpus}) for as long as it lasts; builds and scans get the CPUs no run holds. A run
 * takes as many whole CPUs as its {@code --cpus} limit rounds up to. Where none are free (more workers than CPUs), the
 * run shares the CPUs no run holds, or all of them, and says so: it is never refused or held back for it.
 * Memory bandwidth and caches stay shared; the kernel's scheduler only keeps other work off a run's CPUs.
 */
public final class CpuPool {
    private final BitSet all;
    private final BitSet held = new BitSet();
    private long generation;

    private CpuPool(BitSet all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("a CPU pool needs at least one CPU");
        }
        this.all = (BitSet) all.clone();
    }

    /** The CPUs of the list ("0-3,8", as the kernel writes them). */
    public static CpuPool of(String cpuList) {
        return new CpuPool(parse(cpuList));
    }

    /**
     * The CPUs this host's engine may give containers: those of the cgroup v1 cpuset that Docker's containers are made
     * under, else the online CPUs. Empty where the host says neither.
     */
    public static Optional<CpuPool> ofHost() {
        for (Path p : List.of(Path.of("/sys/fs/cgroup/cpuset/docker/cpuset.effective_cpus"),
                Path.of("/sys/fs/cgroup/cpuset/cpuset.effective_cpus"), Path.of("/sys/devices/system/cpu/online"))) {
            try {
                String list = Files.readString(p).strip();
                if (!list.isEmpty()) {
                    return Optional.of(of(list));
                }
            } catch (IOException | IllegalArgumentException e) {
                // the next source
            }
        }
        return Optional.empty();
    }

    /** How many CPUs the pool has. */
    public int size() {
        return all.cardinality();
    }

    /** The whole pool as a list. */
    public String cpus() {
        return format(all);
    }

    /** How many CPUs a run with this CPU limit holds: the limit rounded up, at least one. */
    public static int cpusFor(double cpuLimit) {
        return Math.max(1, (int) Math.ceil(cpuLimit - 1e-9));
    }

    /**
     * What {@code workers} runs at once, each with {@code cpuLimit}, get: empty when each can have CPUs of its own;
     * else a sentence for the operator saying what is shared.
     */
    public Optional<String> shortfall(int workers, double cpuLimit) {
        int need = workers * cpusFor(cpuLimit);
        if (need <= size()) {
            return Optional.empty();
        }
        return Optional.of(workers + " workers with --cpus " + trim(cpuLimit) + " need " + need + " CPUs of their own; "
                + "this machine gives containers " + size() + " (" + cpus() + "): a run that finds none free shares "
                + "CPUs with other work, so its number depends on its neighbours (fewer --workers, or a smaller --cpus, "
                + "avoid it)");
    }

    /** A run's hold on CPUs, given back by {@link #close}. */
    public final class Lease implements AutoCloseable {
        private final BitSet cpus;
        private final boolean own;
        private boolean closed;

        private Lease(BitSet cpus, boolean own) {
            this.cpus = cpus;
            this.own = own;
        }

        /** The run's CPUs, as {@code --cpuset-cpus} takes them. */
        public String cpus() {
            return format(cpus);
        }

        /** Whether the CPUs are the run's alone (false: none were free, and it shares them). */
        public boolean own() {
            return own;
        }

        @Override
        public void close() {
            synchronized (CpuPool.this) {
                if (!closed && own) {
                    held.andNot(cpus);
                    generation++;
                }
                closed = true;
            }
        }
    }

    /**
     * CPUs for a run with this CPU limit: the lowest-numbered free ones, its own; else, shared, those no run holds,
     * else all.
     */
    public synchronized Lease acquire(double cpuLimit) {
        int want = Math.min(cpusFor(cpuLimit), size());
        BitSet free = (BitSet) all.clone();
        free.andNot(held);
        if (free.cardinality() >= want) {
            BitSet mine = new BitSet();
            for (int cpu = free.nextSetBit(0); cpu >= 0 && mine.cardinality() < want; cpu = free.nextSetBit(cpu + 1)) {
                mine.set(cpu);
            }
            held.or(mine);
            generation++;
            return new Lease(mine, true);
        }
        return new Lease(free.isEmpty() ? (BitSet) all.clone() : free, false);
    }

    /** The CPUs no run holds, for builds and scans; all of them when runs hold every one. */
    public synchronized String unheld() {
        BitSet free = (BitSet) all.clone();
        free.andNot(held);
        return format(free.isEmpty() ? all : free);
    }

    /** Changes whenever a run takes or gives back CPUs: who applies {@link #unheld} re-applies it then. */
    public synchronized long generation() {
        return generation;
    }

    static BitSet parse(String cpuList) {
        BitSet cpus = new BitSet();
        if (cpuList == null || cpuList.isBlank()) {
            throw new IllegalArgumentException("an empty CPU list");
        }
        for (String part : cpuList.strip().split(",")) {
            String p = part.strip();
            if (!p.matches("\\d{1,4}(-\\d{1,4})?")) {
                throw new IllegalArgumentException("not a CPU list: '" + cpuList + "'");
            }
            int dash = p.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
            if (to < from) {
                throw new IllegalArgumentException("not a CPU list: '" + cpuList + "'");
            }
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    static String format(BitSet cpus) {
        List<String> parts = new ArrayList<>();
        for (int from = cpus.nextSetBit(0); from >= 0; ) {
            int to = cpus.nextClearBit(from) - 1;
            parts.add(from == to ? Integer.toString(from) : from + "-" + to);
            from = cpus.nextSetBit(to + 1);
        }
        return parts.stream().collect(Collectors.joining(","));
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
