package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreConcurrencyTest {
    private static final int THREADS = 32;

    @TempDir
    Path dataDir;

    private SqliteJobStore store;
    private final Instant t0 = Instant.parse("2026-05-01T00:00:00Z");

    @BeforeEach
    void open() {
        store = SqliteJobStore.open(dataDir, 3);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void concurrentCompareAndSetFromQueuedHasExactlyOneWinner() throws Exception {
        for (int round = 0; round < 20; round++) {
            Job job = Job.queued(JobId.random(), "owner", null, null, t0);
            store.create(job, Optional.empty());
            List<Job> attempts = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                attempts.add(i % 2 == 0 ? job.advancedTo(JobStatus.BUILDING, t0.plusNanos(i + 1))
                        : job.cancelled(t0.plusNanos(i + 1)));
            }
            List<Boolean> won = runTogether(attempts.stream()
                    .<Callable<Boolean>>map(a -> () -> store.update(a, EnumSet.of(JobStatus.QUEUED))).toList());

            assertThat(won).filteredOn(w -> w).hasSize(1);
            Job winner = attempts.get(won.indexOf(true));
            assertThat(store.find(job.id())).contains(winner);
        }
    }

    @Test
    void concurrentCreatesWithOneIdempotencyKeyStoreOneJob() throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            jobs.add(Job.queued(JobId.random(), "owner", "same", null, t0.plusSeconds(i)));
        }
        List<JobStore.CreateResult> results = runTogether(jobs.stream()
                .<Callable<JobStore.CreateResult>>map(j -> () -> store.create(j, Optional.of(new IdempotencyKey("k", "fp"))))
                .toList());

        assertThat(results).filteredOn(JobStore.CreateResult::created).hasSize(1);
        Set<JobId> returned = new HashSet<>();
        results.forEach(r -> returned.add(r.job().id()));
        assertThat(returned).hasSize(1);
        assertThat(store.list("owner", Optional.empty(), 100, Optional.empty()).jobs())
                .extracting(Job::id).containsExactlyElementsOf(returned);
    }

    @Test
    void readsOnManyVirtualThreadsSeeEveryCommittedWrite() throws Exception {
        List<Callable<Boolean>> work = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Job job = Job.queued(JobId.random(), "owner-" + (i % 7), null, null, t0.plusMillis(i));
            work.add(() -> {
                store.create(job, Optional.empty());
                boolean found = store.find(job.id()).isPresent();
                boolean advanced = store.update(job.advancedTo(JobStatus.BUILDING, t0), EnumSet.of(JobStatus.QUEUED));
                boolean listed = store.list(job.owner(), Optional.of(JobStatus.BUILDING), 100, Optional.empty())
                        .jobs().stream().anyMatch(j -> j.id().equals(job.id()));
                return found && advanced && listed;
            });
        }
        assertThat(runTogether(work)).containsOnly(true);
        assertThat(store.findUnfinished()).hasSize(200);
    }

    /** Starts every task at once, each on its own virtual thread, and returns the results in task order. */
    private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
