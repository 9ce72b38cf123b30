package io.perfbox.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.lifecycle.JobPipeline;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Workers are shared between tenants in turn: a burst of one tenant does not make another's job wait behind it. */
class LocalJobExecutorFairnessTest {
    private final List<JobId> order = Collections.synchronizedList(new ArrayList<>());
    private final Map<JobId, String> tenants = new ConcurrentHashMap<>();
    private final CountDownLatch firstStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch allDone = new CountDownLatch(53);

    /** Records the order jobs start in; the first job blocks until released, so the others queue up behind it. */
    private final JobPipeline recording = new JobPipeline(null, null, null, null, null, null, null, null, null) {
        @Override
        public void execute(JobId id) throws InterruptedException {
            boolean first = order.isEmpty();
            order.add(id);
            if (first) {
                firstStarted.countDown();
                release.await();
            }
            allDone.countDown();
        }
    };

    private JobId job(String tenant) {
        JobId id = JobId.random();
        tenants.put(id, tenant);
        return id;
    }

    @Test
    void aTenantsSingleJobRunsNextInTurnNotAfterAnotherTenantsBurstOfFifty() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(recording, null, 1, tenants::get)) {
            JobId first = job("burst");
            executor.start(first);
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<JobId> burst = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                JobId id = job("burst");
                burst.add(id);
                executor.start(id);
            }
            JobId single = job("single");
            executor.start(single);
            JobId second = job("third-tenant");
            executor.start(second);
            release.countDown();
            assertThat(allDone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(order).hasSize(53);
            // After the running job: burst, single, third tenant, then the rest of the burst in its own order.
            assertThat(order.subList(0, 4)).containsExactly(first, burst.get(0), single, second);
            assertThat(order.subList(4, 53)).containsExactlyElementsOf(burst.subList(1, 50));
        }
    }

    @Test
    void aStoppedQueuedJobGivesUpItsTurnAndTheOthersStillRun() throws Exception {
        try (LocalJobExecutor executor = new LocalJobExecutor(recording, null, 1, tenants::get)) {
            JobId first = job("a");
            executor.start(first);
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            JobId cancelled = job("b");
            JobId kept = job("c");
            executor.start(cancelled);
            executor.start(kept);
            executor.stop(cancelled);
            release.countDown();
            for (int i = 0; i < 100 && executor.pending() > 0; i++) {
                Thread.sleep(20);
            }
            assertThat(executor.pending()).isZero();
            assertThat(order).containsExactly(first, kept);
        }
    }
}
