package io.perfbox.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobPipeline;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalJobExecutorTest {
    private final Set<JobId> started = ConcurrentHashMap.newKeySet();
    private final Set<JobId> interrupted = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger executions = new AtomicInteger();

    /** A pipeline whose every job blocks until released (or interrupted). */
    private final JobPipeline blocking = new JobPipeline(null, null, null, null, null, null, null, null, null) {
        @Override
        public void execute(JobId id) throws InterruptedException {
            started.add(id);
            executions.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.add(id);
                throw e;
            }
        }
    };

    private static void eventually(Runnable check) throws InterruptedException {
        AssertionError last = null;
        for (int i = 0; i < 100; i++) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw last;
    }

    @Test
    void jobsBeyondTheWorkersWaitInTheQueue() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(blocking, null, 2)) {
            List<JobId> ids = List.of(JobId.random(), JobId.random(), JobId.random());
            ids.forEach(executor::start);
            eventually(() -> assertThat(started).hasSize(2));
            Thread.sleep(200);
            assertThat(started).hasSize(2);
            assertThat(executor.pending()).isEqualTo(3);
            release.countDown();
            eventually(() -> assertThat(started).hasSize(3));
            eventually(() -> assertThat(executor.pending()).isZero());
        }
    }

    @Test
    void stoppingAQueuedJobMeansItNeverStarts() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(blocking, null, 1)) {
            JobId running = JobId.random();
            JobId queued = JobId.random();
            executor.start(running);
            executor.start(queued);
            eventually(() -> assertThat(started).contains(running));
            executor.stop(queued);
            release.countDown();
            Thread.sleep(300);
            assertThat(started).doesNotContain(queued);
        }
    }

    @Test
    void stoppingARunningJobInterruptsItAndWaitsUntilItHasEnded() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(blocking, null, 1)) {
            JobId id = JobId.random();
            executor.start(id);
            eventually(() -> assertThat(started).contains(id));
            executor.stop(id);
            assertThat(interrupted).contains(id);
            assertThat(executor.pending()).isZero();
        }
    }

    @Test
    void startingTheSameJobTwiceRunsItOnce() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(blocking, null, 2)) {
            JobId id = JobId.random();
            executor.start(id);
            executor.start(id);
            release.countDown();
            eventually(() -> assertThat(executor.pending()).isZero());
            assertThat(executions).hasValue(1);
        }
    }
}
