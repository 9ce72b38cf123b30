package io.perfbox.adapter.sqlite;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.UUID;

/**
 * The child process of {@link SqliteCrashIT}: writes jobs on a few threads until it is killed, printing
 * "{@code <id>}" on stdout once the job is created (with an idempotency key) and moved to BUILDING, both committed.
 * Argument: the data directory.
 */
public final class CrashingWriter {
    static final int THREADS = 4;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws InterruptedException {
        SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]));
        System.out.println("ready");
        System.out.flush();
        String run = UUID.randomUUID().toString(); // keys of earlier runs on the same file stay taken
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            String owner = "crash-" + t;
            threads[t] = Thread.ofPlatform().start(() -> {
                for (long i = 0; ; i++) {
                    Instant now = Instant.now();
                    Job job = Job.queued(JobId.random(), owner, "job " + i, "written before the crash", now);
                    store.create(job, Optional.of(new IdempotencyKey(owner + "-" + run + "-" + i, "fp")));
                    if (!store.update(job.advancedTo(JobStatus.BUILDING, now.plusNanos(1)), EnumSet.of(JobStatus.QUEUED))) {
                        throw new IllegalStateException("lost the update of " + job.id());
                    }
                    synchronized (System.out) {
                        System.out.println(job.id().value());
                        System.out.flush();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
