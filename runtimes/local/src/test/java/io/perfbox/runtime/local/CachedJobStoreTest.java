package io.perfbox.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.runtime.local.observe.JobChanges;
import io.perfbox.testing.fakes.InMemoryJobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedJobStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The in-memory store, counting reads, able to hold one read, and able to fail writes on demand. */
    private static final class Backing extends InMemoryJobStore {
        final AtomicInteger finds = new AtomicInteger();
        final AtomicBoolean failWrites = new AtomicBoolean();
        volatile CountDownLatch readStarted;
        volatile CountDownLatch releaseRead;

        @Override
        public Optional<Job> find(JobId id) {
            finds.incrementAndGet();
            Optional<Job> found = super.find(id);
            CountDownLatch started = readStarted;
            if (started != null) {
                started.countDown();
                try {
                    releaseRead.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return found;
        }

        @Override
        public boolean update(Job updated, Set<JobStatus> expected) {
            boolean written = super.update(updated, expected);
            if (failWrites.get()) {
                throw new IllegalStateException("the store did not answer");
            }
            return written;
        }
    }

    private final Backing backing = new Backing();
    private final CachedJobStore cached = new CachedJobStore(backing, 100);

    private Job stored() {
        Job job = Job.queued(JobId.random(), "owner", null, null, T0);
        cached.create(job, Optional.empty());
        return job;
    }

    @Test
    void repeatedReadsOfAJobAreAnsweredFromMemory() {
        Job job = stored();
        for (int i = 0; i < 10; i++) {
            assertThat(cached.find(job.id())).contains(job);
        }
        assertThat(backing.finds).hasValue(0);
    }

    @Test
    void aJobWrittenElsewhereBeforeThisServerStartedIsReadOnceFromTheStore() {
        Job job = Job.queued(JobId.random(), "owner", null, null, T0);
        backing.create(job, Optional.empty());
        assertThat(cached.find(job.id())).contains(job);
        assertThat(cached.find(job.id())).contains(job);
        assertThat(backing.finds).hasValue(1);
    }

    @Test
    void anUnknownJobIsNotRemembered() {
        JobId id = JobId.random();
        assertThat(cached.find(id)).isEmpty();
        Job job = Job.queued(id, "owner", null, null, T0);
        backing.create(job, Optional.empty());
        assertThat(cached.find(id)).contains(job);
    }

    @Test
    void aWrittenStatusIsWhatTheNextReadSees() {
        Job job = stored();
        Job building = job.advancedTo(JobStatus.BUILDING, T0.plusSeconds(1));
        assertThat(cached.update(building, EnumSet.of(JobStatus.QUEUED))).isTrue();
        assertThat(cached.find(job.id())).contains(building);
        assertThat(backing.find(job.id())).contains(building);
    }

    @Test
    void aRefusedWriteLeavesTheStoredJobVisible() {
        Job job = stored();
        Job cancelled = job.cancelled(T0.plusSeconds(1));
        backing.update(cancelled, EnumSet.of(JobStatus.QUEUED));
        Job building = job.advancedTo(JobStatus.BUILDING, T0.plusSeconds(2));
        assertThat(cached.update(building, EnumSet.of(JobStatus.QUEUED))).isFalse();
        assertThat(cached.find(job.id())).contains(cancelled);
    }

    @Test
    void aWriteWhoseOutcomeIsUnknownMakesTheNextReadAskTheStore() {
        Job job = stored();
        backing.failWrites.set(true);
        Job building = job.advancedTo(JobStatus.BUILDING, T0.plusSeconds(1));
        assertThatThrownBy(() -> cached.update(building, EnumSet.of(JobStatus.QUEUED))).isInstanceOf(IllegalStateException.class);
        assertThat(cached.find(job.id())).contains(building);
        assertThat(backing.finds).hasValue(1);
    }

    @Test
    void aDeletedJobIsGone() {
        Job job = stored();
        assertThat(cached.delete(job.id())).isTrue();
        assertThat(cached.find(job.id())).isEmpty();
    }

    @Test
    void aReadUnderWayCannotPutAnOlderCopyOverAWriteThatFollowsIt() throws Exception {
        Job job = Job.queued(JobId.random(), "owner", null, null, T0);
        backing.create(job, Optional.empty());
        backing.readStarted = new CountDownLatch(1);
        backing.releaseRead = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> cached.find(job.id()));
        assertThat(backing.readStarted.await(10, TimeUnit.SECONDS)).isTrue();

        Job building = job.advancedTo(JobStatus.BUILDING, T0.plusSeconds(1));
        AtomicBoolean written = new AtomicBoolean();
        Thread writer = Thread.ofVirtual().start(() -> written.set(cached.update(building, EnumSet.of(JobStatus.QUEUED))));
        writer.join(300);
        backing.readStarted = null;
        backing.releaseRead.countDown();
        reader.join(10_000);
        writer.join(10_000);

        assertThat(written).isTrue();
        assertThat(cached.find(job.id())).contains(building);
    }

    @Test
    void memoryIsBoundedAndFinishedJobsAreDroppedFirst() {
        CachedJobStore small = new CachedJobStore(backing, 3);
        Job active = Job.queued(JobId.random(), "owner", null, null, T0);
        small.create(active, Optional.empty());
        for (int i = 0; i < 10; i++) {
            Job done = Job.queued(JobId.random(), "owner", null, null, T0);
            small.create(done, Optional.empty());
            small.update(done.succeeded(0.5, T0.plusSeconds(1)), EnumSet.of(JobStatus.QUEUED));
        }
        assertThat(small.size()).isLessThanOrEqualTo(3);
        int before = backing.finds.get();
        assertThat(small.find(active.id())).contains(active);
        assertThat(backing.finds.get()).isEqualTo(before);
    }

    @Test
    void theLeaderboardAndTheHistoryAreTheStoresOwnNotPagesOfItsListing() {
        AtomicInteger listings = new AtomicInteger();
        List<String> asked = new ArrayList<>();
        Job ranked = Job.queued(JobId.random(), "o", "n", null, T0).succeeded(0.5, T0.plusSeconds(1));
        CachedJobStore cached = new CachedJobStore(new InMemoryJobStore() {
            @Override
            public JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> token) {
                listings.incrementAndGet();
                return super.list(owner, status, limit, token);
            }

            @Override
            public List<Job> ranked(String owner, String metric, RankOrder order, int limit) {
                asked.add("ranked " + owner + " " + metric + " " + order + " " + limit);
                return List.of(ranked);
            }

            @Override
            public List<Job> history(String owner, String metric, int limit) {
                asked.add("history " + owner + " " + metric + " " + limit);
                return List.of(ranked);
            }
        }, 10);
        assertThat(cached.ranked("o", "loss", RankOrder.ASC, 3)).containsExactly(ranked);
        assertThat(cached.history("o", "loss", 7)).containsExactly(ranked);
        assertThat(asked).containsExactly("ranked o loss ASC 3", "history o loss 7");
        assertThat(listings).hasValue(0);
    }

    @Test
    void aJobTheRetentionRemovesIsForgottenByTheCacheAndTheObserversHearOfIt() {
        Job job = Job.queued(JobId.random(), "a", "n", "d", T0);
        cached.create(job, Optional.empty());
        Job done = job.advancedTo(JobStatus.RUNNING, T0).succeeded(1.0, T0.plusSeconds(1));
        cached.update(done, EnumSet.of(JobStatus.QUEUED));
        assertThat(cached.find(job.id())).contains(done);
        List<JobId> deleted = new ArrayList<>();
        cached.observedBy(new JobChanges() {
            @Override
            public void deleted(JobId id) {
                deleted.add(id);
            }
        });
        ExpiredJobs expiring = cached.expiring(backing);

        assertThat(expiring.removeFinished(job.id(), T0)).as("finished at T0+1s, not before T0").isFalse();
        assertThat(cached.find(job.id())).contains(done);
        assertThat(expiring.removeFinished(job.id(), T0.plusSeconds(2))).isTrue();

        assertThat(cached.find(job.id())).isEmpty();
        assertThat(deleted).containsExactly(job.id());
    }
}
