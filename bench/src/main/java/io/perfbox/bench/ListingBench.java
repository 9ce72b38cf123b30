package io.perfbox.bench;

import io.perfbox.adapter.sqlite.SqliteJobStore;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore.JobPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;


/**
 * 4. One page of 50 jobs, newest first (the query behind GET /jobs), through {@link SqliteJobStore#list}, the
 * store {@code perfbox serve} uses (one SQLite file on disk, WAL mode), from a store holding many jobs of the owner
 * against one holding few. A key-ordered index makes a page cost the same whatever the
 * store's size; the ratio shows whether it does.
 */
final class ListingBench {
    static final double TARGET = 1.5;
    static final int PAGE = 50;
    private static final int WARM_UP = 20;
    private static final int FILL_THREADS = 2;

    private final int largeSize;
    private final int smallSize;
    private final int queries;

    ListingBench(int largeSize, int smallSize, int queries) {
        this.largeSize = largeSize;
        this.smallSize = smallSize;
        this.queries = queries;
    }

    /** A store of {@code size} jobs of one owner, and the ids newest first as the list must return them. */
    private record Store(String name, SqliteJobStore jobs, String owner, List<String> newestFirst) {
    }

    List<Outcome> run() throws Exception {
        System.out.printf("%n[4] listing at scale: a page of %d jobs, newest first, via SqliteJobStore.list (the query of "
                + "GET /jobs) on the SQLite file of perfbox serve (on disk, WAL mode)%n", PAGE);
        Path dir = Files.createTempDirectory("perfbox-bench-listing");
        try (SqliteJobStore smallDb = SqliteJobStore.open(Files.createDirectories(dir.resolve("small")));
             SqliteJobStore largeDb = SqliteJobStore.open(Files.createDirectories(dir.resolve("large")))) {
            Store small = open(fill(smallDb, "small", smallSize));
            Store large = open(fill(largeDb, "large", largeSize));
            return measure(small, large);
        } finally {
            Bench.deleteTree(dir);
        }
    }

    private List<Outcome> measure(Store small, Store large) {
        String smallToken = small.jobs().list(small.owner(), Optional.empty(), PAGE, Optional.empty()).nextToken().get();
        String largeToken = large.jobs().list(large.owner(), Optional.empty(), PAGE, Optional.empty()).nextToken().get();
        for (int i = 0; i < WARM_UP; i++) {
            page(small, Optional.empty());
            page(large, Optional.empty());
            page(small, Optional.of(smallToken));
            page(large, Optional.of(largeToken));
        }
        List<Double> s1 = new ArrayList<>();
        List<Double> l1 = new ArrayList<>();
        List<Double> s2 = new ArrayList<>();
        List<Double> l2 = new ArrayList<>();
        // Interleaved, so a slow moment of the shared machine hits both stores alike.
        for (int i = 0; i < queries; i++) {
            s1.add(page(small, Optional.empty()));
            l1.add(page(large, Optional.empty()));
            s2.add(page(small, Optional.of(smallToken)));
            l2.add(page(large, Optional.of(largeToken)));
        }
        System.out.printf("    %d timed queries per store and page, interleaved, after %d warm-up rounds; each store is a "
                + "database file of its own%n", queries, WARM_UP);
        Outcome first = report("1st page", Stats.of(l1), Stats.of(s1));
        Outcome second = report("2nd page (after its token)", Stats.of(l2), Stats.of(s2));
        return List.of(first, second);
    }

    private Outcome report(String which, Stats large, Stats small) {
        double ratio = large.median() / small.median();
        boolean met = ratio <= TARGET;
        System.out.printf("    %s, %,d jobs: %s%n", which, largeSize, large.minMedMax("ms", 2));
        System.out.printf("    %s, baseline %,d jobs: %s%n", which, smallSize, small.minMedMax("ms", 2));
        System.out.printf("    %s ratio of medians %,d vs %,d: %.2f (target ≤ %.2f): %s%n", which, largeSize, smallSize,
                ratio, TARGET, met ? "met" : "MISSED");
        return new Outcome("4", "list " + which.replace(" (after its token)", "") + " of " + PAGE,
                String.format("%.2f ms (%,d jobs)", large.median(), largeSize),
                String.format("%.2f ms (%,d jobs)", small.median(), smallSize), String.format("%.2f", ratio),
                String.format("≤ %.2f", TARGET), Outcome.Verdict.of(met), "");
    }

    /** Milliseconds for one page, checked to be full. */
    private static double page(Store s, Optional<String> token) {
        long t0 = System.nanoTime();
        JobPage page = s.jobs().list(s.owner(), Optional.empty(), PAGE, token);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (page.jobs().size() != PAGE) {
            throw new IllegalStateException(s.name() + ": a page of " + page.jobs().size() + " jobs, expected " + PAGE);
        }
        return ms;
    }

    /** The first two pages are exactly the 100 newest jobs in order, and the second page follows the first. */
    private static void check(Store s) {
        JobPage first = s.jobs().list(s.owner(), Optional.empty(), PAGE, Optional.empty());
        if (first.nextToken().isEmpty()) {
            throw new IllegalStateException(s.name() + ": the first page has no next token");
        }
        JobPage second = s.jobs().list(s.owner(), Optional.empty(), PAGE, first.nextToken());
        List<String> listed = new ArrayList<>();
        first.jobs().forEach(j -> listed.add(j.id().value()));
        second.jobs().forEach(j -> listed.add(j.id().value()));
        if (!listed.equals(s.newestFirst().subList(0, 2 * PAGE))) {
            throw new IllegalStateException(s.name() + ": the first two pages are not the " + 2 * PAGE + " newest jobs in order");
        }
    }

    /** A store filled with {@code size} jobs of one owner; ids newest first, as the list must return them. */
    private record Filled(String name, SqliteJobStore store, String owner, int size, List<String> newestFirst) {
    }

    /** Through the store's own create, as perfbox serve writes jobs, on {@value #FILL_THREADS} threads. */
    private static Filled fill(SqliteJobStore store, String name, int size) throws Exception {
        String owner = "bench-owner-" + name;
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        List<Job> jobs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            jobs.add(finishedJob(owner, start.plusMillis(1000L * i), i));
        }
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(FILL_THREADS)) {
            List<Future<?>> parts = new ArrayList<>();
            int slice = (size + FILL_THREADS - 1) / FILL_THREADS;
            for (int from = 0; from < size; from += slice) {
                List<Job> part = jobs.subList(from, Math.min(size, from + slice));
                parts.add(pool.submit(() -> part.forEach(job -> store.create(job, Optional.empty()))));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("    filled a store with %,d jobs of one owner (SqliteJobStore.create, %d threads) in %.1f s "
                + "(%,.0f jobs/s)%n", size, FILL_THREADS, seconds, size / seconds);
        List<String> newestFirst = new ArrayList<>(size);
        for (int i = size - 1; i >= 0; i--) {
            newestFirst.add(jobs.get(i).id().value());
        }
        return new Filled(name, store, owner, size, newestFirst);
    }

    /** The filled store, checked to list the newest jobs in order. */
    private static Store open(Filled f) {
        Store store = new Store(f.name(), f.store(), f.owner(), f.newestFirst());
        check(store);
        System.out.printf("    store %s: %,d jobs; pages 1 and 2 are the %d newest, in order%n", f.name(), f.size(), 2 * PAGE);
        return store;
    }

    /** A job as the pipeline leaves it: most SUCCEEDED with a result, one in ten FAILED. */
    private static Job finishedJob(String owner, Instant created, int i) {
        Job job = Job.queued(JobId.random(), owner, "bench job " + i, null, created)
                .advancedTo(JobStatus.BUILDING, created.plusMillis(10))
                .advancedTo(JobStatus.SCANNING, created.plusMillis(400))
                .advancedTo(JobStatus.RUNNING, created.plusMillis(600));
        return i % 10 == 9
                ? job.failed(Failure.of(FailureCode.RUN_FAILED, "the container exited with code 1"), created.plusMillis(900))
                : job.succeeded((i % 1000) / 1000.0, created.plusMillis(900));
    }
}
