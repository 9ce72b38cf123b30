package io.perfbox.bench;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.aws.dynamodb.JobTableLoader;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore.JobPage;
import io.perfbox.runtime.local.dynamodb.EmbeddedDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * 4. One page of 50 jobs, newest first (the query behind GET /jobs), through {@link DynamoDbJobStore#list} on the
 * embedded DynamoDB Local that {@code perfbox serve} uses (on disk, over its loopback port), from a store holding
 * many jobs of the owner against one holding few. A key-ordered index makes a page cost the same whatever the
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
    private record Store(String name, DynamoDbJobStore jobs, String owner, List<String> newestFirst) {
    }

    List<Outcome> run() throws Exception {
        System.out.printf("%n[4] listing at scale: a page of %d jobs, newest first, via DynamoDbJobStore.list (the query of "
                + "GET /jobs) on the embedded DynamoDB Local of perfbox serve (on disk, over its loopback port)%n", PAGE);
        // Filling goes in-process onto tmpfs: DynamoDB Local syncs every write, which on this disk alone would take
        // minutes for 100,000 jobs. The filled database file is then moved to disk and served as perfbox serve does.
        Path shm = Path.of("/dev/shm");
        Path scratch = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "perfbox-bench-listing") : Files.createTempDirectory("perfbox-bench-listing-fill");
        Path dir = Files.createTempDirectory("perfbox-bench-listing");
        try {
            List<Filled> filled = fill(scratch, List.of(smallSize, largeSize));
            Path dbDir = Files.createDirectories(dir.resolve("db"));
            try (var files = Files.list(scratch)) {
                for (Path f : files.toList()) {
                    Files.copy(f, dbDir.resolve(f.getFileName().toString()));
                }
            }
            try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dbDir)) {
                Store small = open(db, filled.get(0));
                Store large = open(db, filled.get(1));
                return measure(small, large);
            }
        } finally {
            Bench.deleteTree(scratch);
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
        System.out.printf("    %d timed queries per store and page, interleaved, after %d warm-up rounds; both stores are "
                + "tables of one database, served by one engine%n", queries, WARM_UP);
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

    /** A table filled with {@code size} jobs of one owner; ids newest first, as the list must return them. */
    private record Filled(String table, String owner, int size, List<String> newestFirst) {
    }

    private static List<Filled> fill(Path scratch, List<Integer> sizes) throws Exception {
        if (System.getProperty("sqlite4java.library.path") == null) {
            // The launcher's lib directory holds DynamoDB Local's native SQLite library beside its jar.
            Path jar = Path.of(DynamoDBEmbedded.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            System.setProperty("sqlite4java.library.path", jar.getParent().toString());
        }
        // The file name DynamoDB Local uses with -sharedDb, so EmbeddedDynamoDb opens the same database afterwards.
        // true = telemetry off (as EmbeddedDynamoDb's -disableTelemetry); otherwise it also drops a file in the cwd.
        AmazonDynamoDBLocal local = DynamoDBEmbedded.create(scratch.resolve("shared-local-instance.db").toFile(), true);
        try {
            DynamoDbClient client = local.dynamoDbClient();
            List<Filled> filled = new ArrayList<>();
            for (int i = 0; i < sizes.size(); i++) {
                filled.add(fill(client, (i == 0 ? "bench-jobs-small-" : "bench-jobs-large-") + sizes.get(i), sizes.get(i)));
            }
            return filled;
        } finally {
            local.shutdownNow();
        }
    }

    private static Filled fill(DynamoDbClient client, String table, int size) throws Exception {
        JobTable.createIfMissing(client, table);
        String owner = "key-" + UUID.randomUUID().toString().replace("-", "");
        Instant base = Instant.now().minusSeconds(size + 60L);
        List<Job> jobs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            jobs.add(finishedJob(owner, base.plusSeconds(i).plusNanos(i % 1000), i));
        }
        JobTableLoader loader = new JobTableLoader(client, table);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(FILL_THREADS)) {
            List<Future<?>> parts = new ArrayList<>();
            int chunk = (size + FILL_THREADS - 1) / FILL_THREADS;
            for (int from = 0; from < size; from += chunk) {
                List<Job> part = jobs.subList(from, Math.min(size, from + chunk));
                parts.add(pool.submit(() -> loader.write(part)));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("    filled a store with %,d jobs of one owner (BatchWriteItem of DynamoDbJobStore's items, "
                + "in-process, %d threads) in %.1f s (%,.0f jobs/s)%n", size, FILL_THREADS, seconds, size / seconds);
        List<String> newestFirst = new ArrayList<>(size);
        for (int i = size - 1; i >= 0; i--) {
            newestFirst.add(jobs.get(i).id().value());
        }
        return new Filled(table, owner, size, newestFirst);
    }

    /** The filled table as perfbox serve reads it, checked to hold every job and to list them in order. */
    private static Store open(EmbeddedDynamoDb db, Filled f) {
        long indexed = countIndexed(db, f.table(), f.owner());
        if (indexed != f.size()) {
            throw new IllegalStateException(f.table() + ": the byOwner index holds " + indexed + " jobs, expected " + f.size());
        }
        Store store = new Store(f.table(), new DynamoDbJobStore(db.client(), f.table()), f.owner(), f.newestFirst());
        check(store);
        System.out.printf("    %s on disk, served by EmbeddedDynamoDb: its byOwner index holds %,d jobs; pages 1 and 2 are "
                + "the %d newest, in order%n", f.table(), indexed, 2 * PAGE);
        return store;
    }

    /** How many of the owner's jobs the listing index holds (a COUNT query, page by page). */
    private static long countIndexed(EmbeddedDynamoDb db, String table, String owner) {
        long n = 0;
        for (var page : db.client().queryPaginator(b -> b.tableName(table).indexName(JobTable.BY_OWNER)
                .keyConditionExpression("#o = :o").expressionAttributeNames(Map.of("#o", JobTable.OWNER))
                .expressionAttributeValues(Map.of(":o", AttributeValue.fromS(owner))).select(Select.COUNT))) {
            n += page.count();
        }
        return n;
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
