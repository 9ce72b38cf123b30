package io.perfbox.runtime.local.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.fakes.InMemoryJobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retention over the in-memory store (which passes the SQLite store's contract), on a clock the test moves. */
class JobRetentionTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration THIRTY_DAYS = Duration.ofDays(30);
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Files and engine resources kept per job, as the data dir and the engine would hold them. */
    static final class Leftovers implements JobRetention.JobFiles, JobRetention.EngineResources {
        final Map<JobId, Long> files = new HashMap<>();
        final Set<JobId> images = new HashSet<>();
        final List<JobId> released = new ArrayList<>();
        final Set<JobId> failing = new HashSet<>();
        final Map<JobId, Instant> changed = new HashMap<>();

        @Override
        public List<JobId> storedBefore(Instant cutoff) {
            return changed.entrySet().stream().filter(e -> files.containsKey(e.getKey()) && e.getValue().isBefore(cutoff))
                    .map(Map.Entry::getKey).toList();
        }

        void hold(Job job, long bytes, boolean image) {
            files.put(job.id(), bytes);
            if (image) {
                images.add(job.id());
            }
        }

        @Override
        public long bytes(JobId id) {
            return files.getOrDefault(id, 0L);
        }

        @Override
        public void delete(JobId id) {
            if (failing.contains(id)) {
                throw new UncheckedIOException(new IOException("disk says no"));
            }
            files.remove(id);
        }

        @Override
        public int release(JobId id) {
            released.add(id);
            return images.remove(id) ? 1 : 0;
        }
    }

    private final InMemoryJobStore store = new InMemoryJobStore();
    private final MovableClock clock = new MovableClock(NOW);
    private final Leftovers leftovers = new Leftovers();
    private final JobRetention retention = new JobRetention(store, THIRTY_DAYS, clock, leftovers, leftovers);

    private Job created(String owner, Instant at, Optional<IdempotencyKey> key) {
        Job job = Job.queued(JobId.random(), owner, "n", "d", at);
        assertThat(store.create(job, key).created()).isTrue();
        return job;
    }

    private Job finished(String owner, Instant createdAt, Instant finishedAt, JobStatus how) {
        Job job = created(owner, createdAt, Optional.empty());
        Job building = job.advancedTo(JobStatus.BUILDING, createdAt);
        store.update(building, EnumSet.of(JobStatus.QUEUED));
        Job end = switch (how) {
            case SUCCEEDED -> building.succeeded(1.0, finishedAt);
            case FAILED -> building.failed(Failure.of(FailureCode.RUN_FAILED, "exit 1"), finishedAt);
            default -> building.cancelled(finishedAt);
        };
        assertThat(store.update(end, EnumSet.of(JobStatus.BUILDING))).isTrue();
        return end;
    }

    private Job running(String owner, Instant since) {
        Job job = created(owner, since, Optional.empty());
        Job running = job.advancedTo(JobStatus.RUNNING, since);
        store.update(running, EnumSet.of(JobStatus.QUEUED));
        return running;
    }

    @Test
    void aSweepRemovesTheJobsThatFinishedMoreThanTheRetentionAgoWithTheirFilesAndImagesAndKeepsTheOthers() {
        Job oldSucceeded = finished("a", NOW.minus(DAY.multipliedBy(40)), NOW.minus(DAY.multipliedBy(31)), JobStatus.SUCCEEDED);
        Job oldFailed = finished("b", NOW.minus(DAY.multipliedBy(35)), NOW.minus(THIRTY_DAYS).minusSeconds(1), JobStatus.FAILED);
        Job oldCancelled = finished("a", NOW.minus(DAY.multipliedBy(90)), NOW.minus(DAY.multipliedBy(89)), JobStatus.CANCELLED);
        // Submitted long ago, finished recently: the time it finished counts.
        Job recent = finished("a", NOW.minus(DAY.multipliedBy(60)), NOW.minus(THIRTY_DAYS).plusSeconds(1), JobStatus.SUCCEEDED);
        Job runningForever = running("a", NOW.minus(DAY.multipliedBy(100)));
        Job queuedForever = created("b", NOW.minus(DAY.multipliedBy(100)), Optional.empty());
        for (Job j : List.of(oldSucceeded, oldFailed, oldCancelled, recent, runningForever, queuedForever)) {
            leftovers.hold(j, 1000, true);
        }

        JobRetention.Swept swept = retention.sweep();

        assertThat(swept).isEqualTo(new JobRetention.Swept(3, 3000, 3, 0));
        for (Job gone : List.of(oldSucceeded, oldFailed, oldCancelled)) {
            assertThat(store.find(gone.id())).isEmpty();
            assertThat(leftovers.files).doesNotContainKey(gone.id());
            assertThat(leftovers.images).doesNotContain(gone.id());
        }
        for (Job kept : List.of(recent, runningForever, queuedForever)) {
            assertThat(store.find(kept.id())).isPresent();
            assertThat(leftovers.files).containsKey(kept.id());
            assertThat(leftovers.images).contains(kept.id());
        }
        assertThat(leftovers.released).as("the engine is asked about the old jobs only")
                .containsExactlyInAnyOrder(oldSucceeded.id(), oldFailed.id(), oldCancelled.id());
        assertThat(retention.sweep()).as("nothing more").isEqualTo(new JobRetention.Swept(0, 0, 0, 0));
    }

    @Test
    void aJobGoesOnceItsTimeComesAsTheClockMovesAndJobsUnderWayNever() {
        Job finishedToday = finished("a", NOW.minusSeconds(60), NOW, JobStatus.SUCCEEDED);
        Job runningSinceToday = running("a", NOW);
        assertThat(retention.sweep().jobs()).isZero();

        clock.advance(THIRTY_DAYS.minusSeconds(1));
        assertThat(retention.sweep().jobs()).isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(retention.sweep().jobs()).isEqualTo(1);
        assertThat(store.find(finishedToday.id())).isEmpty();

        clock.advance(DAY.multipliedBy(3650));
        assertThat(retention.sweep().jobs()).isZero();
        assertThat(store.find(runningSinceToday.id())).map(Job::status).contains(JobStatus.RUNNING);
    }

    @Test
    void removingOldJobsNeitherResetsATenantsUsageNorLetsItOutOfAQuotaWindow() {
        // A tenant's day: jobs finished, one under way; then the retention is as short as it may be (1 day) and the
        // clock moves past it within the 24-hour window of the daily quota.
        JobRetention shortRetention = new JobRetention(store, DAY, clock, leftovers, leftovers);
        Instant windowStart = NOW.minus(Duration.ofHours(23));
        for (int i = 0; i < 5; i++) {
            finished("t", NOW.minus(Duration.ofHours(22)).plusSeconds(i), NOW.minus(Duration.ofHours(21)), JobStatus.SUCCEEDED);
        }
        running("t", NOW.minus(Duration.ofHours(20)));
        TenantUsage.Submissions before = store.submissionsSince("t", windowStart);
        clock.advance(Duration.ofHours(4)); // the five finished 25 hours ago: past the retention

        assertThat(shortRetention.sweep().jobs()).isEqualTo(5);

        assertThat(store.submissionsSince("t", windowStart)).isEqualTo(before);
        assertThat(before.count()).isEqualTo(6);
        assertThat(store.countActive("t")).isEqualTo(1);
    }

    @Test
    void idempotencyRecordsOlderThanTheRetentionExpireAndNewerOnesStillAnswerTheEarlierJob() {
        IdempotencyKey old = new IdempotencyKey("old", "fp");
        IdempotencyKey fresh = new IdempotencyKey("fresh", "fp");
        Job oldJob = created("a", NOW.minus(DAY.multipliedBy(31)), Optional.of(old));
        running("a", NOW.minus(DAY.multipliedBy(31)));
        Job freshJob = created("a", NOW.minus(DAY), Optional.of(fresh));

        assertThat(retention.sweep().idempotencyKeys()).isEqualTo(1);

        Job retried = Job.queued(JobId.random(), "a", "n", "d", NOW);
        assertThat(store.create(retried, Optional.of(old)).created()).as("the old key is free again").isTrue();
        assertThat(store.find(oldJob.id())).as("a queued job is not removed").isPresent();
        assertThat(store.create(Job.queued(JobId.random(), "a", "n", "d", NOW), Optional.of(fresh)).job().id())
                .isEqualTo(freshJob.id());
    }

    @Test
    void aBacklogLargerThanABatchGoesInOneSweep() {
        int n = JobRetention.BATCH * 2 + 17;
        for (int i = 0; i < n; i++) {
            finished("a", NOW.minus(DAY.multipliedBy(400)), NOW.minus(DAY.multipliedBy(300)).plusSeconds(i), JobStatus.SUCCEEDED);
        }
        assertThat(retention.sweep().jobs()).isEqualTo(n);
        assertThat(store.finishedBefore(NOW, 10)).isEmpty();
    }

    @Test
    void aJobWhoseFilesCannotBeRemovedKeepsItsRecordForTheNextSweepAndTheOthersStillGo() {
        Job stuck = finished("a", NOW.minus(DAY.multipliedBy(50)), NOW.minus(DAY.multipliedBy(40)), JobStatus.SUCCEEDED);
        Job other = finished("a", NOW.minus(DAY.multipliedBy(50)), NOW.minus(DAY.multipliedBy(39)), JobStatus.SUCCEEDED);
        leftovers.hold(stuck, 10, false);
        leftovers.failing.add(stuck.id());

        assertThat(retention.sweep().jobs()).isEqualTo(1);
        assertThat(store.find(stuck.id())).isPresent();
        assertThat(store.find(other.id())).isEmpty();

        leftovers.failing.clear();
        assertThat(retention.sweep()).isEqualTo(new JobRetention.Swept(1, 10, 0, 0));
        assertThat(store.find(stuck.id())).isEmpty();
    }

    @Test
    void aRetentionOfZeroOrLessIsRefused() {
        assertThatThrownBy(() -> new JobRetention(store, Duration.ZERO, clock, leftovers, leftovers))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JobRetention(store, Duration.ofDays(-1), clock, leftovers, leftovers))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filesUnchangedForTheRetentionWhoseJobHasNoRecordGoAndAnyRecordedJobsFilesStay() {
        JobRetention withOrphans = new JobRetention(store, THIRTY_DAYS, clock, leftovers, leftovers,
                id -> store.find(id).isPresent());
        JobId orphan = JobId.random();
        JobId freshOrphan = JobId.random(); // a submit saves its Dockerfile before its record: not yet an orphan
        Job runningLongAgo = running("a", NOW.minus(DAY.multipliedBy(90)));
        for (JobId id : List.of(orphan, freshOrphan, runningLongAgo.id())) {
            leftovers.files.put(id, 700L);
        }
        leftovers.changed.put(orphan, NOW.minus(DAY.multipliedBy(31)));
        leftovers.changed.put(freshOrphan, NOW.minusSeconds(1));
        leftovers.changed.put(runningLongAgo.id(), NOW.minus(DAY.multipliedBy(90)));

        JobRetention.Swept swept = withOrphans.sweep();

        assertThat(swept).isEqualTo(new JobRetention.Swept(0, 700, 0, 0, 1));
        assertThat(swept.toString()).contains("the files of 1 job(s) no record names");
        assertThat(leftovers.files).containsOnlyKeys(freshOrphan, runningLongAgo.id());
    }
}
