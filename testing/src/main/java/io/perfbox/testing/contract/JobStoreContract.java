package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * What every JobStore adapter must do: the listing's half in {@link JobStoreListingContract}, the rest here.
 * Subclasses provide a fresh, empty store.
 */
public abstract class JobStoreContract extends JobStoreListingContract {

    /** A receipt with every part, as a local job that ran has it. */
    public static RunReceipt fullReceipt() {
        return RunReceipt.submitted(new Dockerfile("FROM debian:bookworm\nRUN true\n"), "0.1.0-SNAPSHOT")
                .merge(RunReceipt.built("sha256:" + "ab".repeat(32),
                        List.of(new RunReceipt.BaseImage("debian:bookworm", "sha256:" + "cd".repeat(32)),
                                new RunReceipt.BaseImage("debian:bookworm-slim", null))))
                .merge(RunReceipt.scanned(new RunReceipt.Scanner("trivy", "0.58.1", "2024-12-01T06:00:00.123Z",
                        "2024-12-02T07:00:00Z")))
                .merge(RunReceipt.ran(new RunReceipt.Limits(512L << 20, 1.5, 256, 600L, 1L << 30, 10L << 30),
                        "0-1", "runc", "Intel(R) Xeon(R) CPU @ 2.20GHz", "6.1.0-28-amd64"));
    }

    @Test
    void aJobsReceiptRoundTripsWithEveryPart() {
        Job job = newJob();
        RunReceipt submitted = RunReceipt.submitted(new Dockerfile("FROM debian:bookworm\n"), "0.1.0");
        Job queued = job.withReceipt(submitted);
        store().create(queued, Optional.empty());
        assertThat(store().find(job.id()).orElseThrow().receipt()).isEqualTo(submitted);

        Job ran = queued.advancedTo(JobStatus.BUILDING, clock.plusSeconds(1)).withReceipt(fullReceipt())
                .succeeded(2.5, Map.of("x", 1.0), clock.plusSeconds(2));
        assertThat(store().update(ran, EnumSet.of(JobStatus.QUEUED))).isTrue();
        Job stored = store().find(job.id()).orElseThrow();
        assertThat(stored.receipt()).isEqualTo(submitted.merge(fullReceipt())).isEqualTo(fullReceipt());
        assertThat(stored).isEqualTo(ran);
        assertThat(store().list(owner, Optional.empty(), 10, Optional.empty()).jobs()).contains(ran);
    }

    @Test
    void aJobsRunsRoundTripWithEveryRunsValueMetricsAndDuration() {
        clock = clock.plus(1, ChronoUnit.SECONDS);
        Job queued = Job.queued(JobId.random(), owner, "runs", null, 4, clock);
        store().create(queued, Optional.empty());
        assertThat(store().find(queued.id()).orElseThrow().runs()).isEqualTo(Runs.of(4));

        Job running = queued.advancedTo(JobStatus.RUNNING, clock.plusSeconds(1));
        assertThat(store().update(running, EnumSet.of(JobStatus.QUEUED))).isTrue();
        // Between runs: the job is still RUNNING with the runs so far, written with the same conditional update.
        Job one = running.withRun(new Runs.Run(1, -0.5, Map.of("loss", 0.25), Duration.ofNanos(1_234_567_891)),
                clock.plusSeconds(2));
        assertThat(store().update(one, EnumSet.of(JobStatus.RUNNING))).isTrue();
        assertThat(store().find(queued.id())).contains(one);

        Job all = one.withRun(new Runs.Run(2, 1e300, Map.of("loss", 0.5), Duration.ofMinutes(3)), clock.plusSeconds(3))
                .withRun(new Runs.Run(3, 4.25, Map.of("loss", 0.75), Duration.ZERO), clock.plusSeconds(4))
                .withRun(new Runs.Run(4, 2.0, Map.of("loss", 1.0), null), clock.plusSeconds(5))
                .succeededOverRuns(clock.plusSeconds(6));
        assertThat(store().update(all, EnumSet.of(JobStatus.RUNNING))).isTrue();
        Job stored = store().find(queued.id()).orElseThrow();
        assertThat(stored).isEqualTo(all);
        assertThat(stored.performance()).isEqualTo(3.125);
        assertThat(stored.metrics()).containsEntry("loss", 0.625);
        assertThat(stored.runs().completed()).extracting(Runs.Run::duration)
                .containsExactly(Duration.ofNanos(1_234_567_891), Duration.ofMinutes(3), Duration.ZERO, null);
        assertThat(store().list(owner, Optional.empty(), 10, Optional.empty()).jobs()).contains(all);
        // The leaderboard ranks by the performance, the median.
        assertThat(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10)).containsExactly(all);
    }

    @Test
    void aFailedJobKeepsTheRunsItCompleted() {
        clock = clock.plus(1, ChronoUnit.SECONDS);
        Job running = Job.queued(JobId.random(), owner, "runs", null, 3, clock).advancedTo(JobStatus.RUNNING, clock);
        store().create(running, Optional.empty());
        Job failed = running.withRun(new Runs.Run(1, 7, Map.of(), Duration.ofSeconds(2)), clock)
                .failed(Failure.of(FailureCode.RUN_FAILED, "run 2 of 3: The container exited with code 1"), clock);
        assertThat(store().update(failed, EnumSet.of(JobStatus.RUNNING))).isTrue();
        assertThat(store().find(running.id()).orElseThrow().runs().values()).containsExactly(7.0);
    }

    @Test
    void aJobWithoutAReceiptIsFoundWithoutOne() {
        Job job = newJob();
        store().create(job, Optional.empty());
        assertThat(store().find(job.id()).orElseThrow().receipt()).isNull();
    }

    @Test
    void createdJobIsFoundWithEveryField() {
        Job job = newJob();
        store().create(job, Optional.empty());
        Job stored = store().find(job.id()).orElseThrow();
        assertThat(stored).isEqualTo(job);

        Job full = job.advancedTo(JobStatus.BUILDING, clock.plusSeconds(1))
                .advancedTo(JobStatus.SCANNING, clock.plusSeconds(2))
                .withVulnerabilities(VulnerabilityCounts.of(List.of(
                        new Finding("CVE-1", "openssl", "1", "2", Severity.HIGH, "t", "debian"))), clock.plusSeconds(3))
                .advancedTo(JobStatus.RUNNING, clock.plusSeconds(4))
                .succeeded(0.125, clock.plusSeconds(5));
        assertThat(store().update(full, EnumSet.of(JobStatus.QUEUED))).isTrue();
        assertThat(store().find(job.id())).contains(full);
    }

    @Test
    void warningsAreStoredInOrderAndKeptThroughLaterUpdates() {
        Job job = newJob();
        store().create(job, Optional.empty());
        assertThat(store().find(job.id()).orElseThrow().warnings()).isEmpty();

        Job warned = job.advancedTo(JobStatus.RUNNING, clock.plusSeconds(1))
                .withWarning("a process was killed for memory", clock.plusSeconds(2))
                .withWarning("second warning, \"quoted\" and ünïcode", clock.plusSeconds(3));
        assertThat(store().update(warned, EnumSet.of(JobStatus.QUEUED))).isTrue();
        assertThat(store().find(job.id()).orElseThrow().warnings())
                .containsExactly("a process was killed for memory", "second warning, \"quoted\" and ünïcode");

        Job succeeded = warned.succeeded(0.5, clock.plusSeconds(4));
        assertThat(store().update(succeeded, EnumSet.of(JobStatus.RUNNING))).isTrue();
        assertThat(store().find(job.id())).contains(succeeded);
        assertThat(store().list(owner, Optional.empty(), 10, Optional.empty()).jobs())
                .filteredOn(j -> j.id().equals(job.id())).singleElement()
                .extracting(Job::warnings).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2);
    }

    @Test
    void failureIsStoredWithCodeAndMessage() {
        Job job = newJob();
        store().create(job, Optional.empty());
        Job failed = job.failed(Failure.of(FailureCode.RUN_FAILED, "exit code 3"), clock.plusSeconds(1));
        assertThat(store().update(failed, EnumSet.of(JobStatus.QUEUED))).isTrue();
        assertThat(store().find(job.id()).orElseThrow().failure()).isEqualTo(Failure.of(FailureCode.RUN_FAILED, "exit code 3"));
    }

    // ---- metrics and the leaderboard ----

    /** A job of {@code who} that ended SUCCEEDED with {@code perf} and {@code metrics}, through create and update. */
    private Job succeededJob(String who, double perf, Map<String, Double> metrics) {
        clock = clock.plus(1, ChronoUnit.SECONDS);
        Job job = Job.queued(JobId.random(), who, "job at " + clock, null, clock);
        store().create(job, Optional.empty());
        Job done = job.advancedTo(JobStatus.RUNNING, clock.plusMillis(100)).succeeded(perf, metrics, clock.plusMillis(200));
        assertThat(store().update(done, EnumSet.of(JobStatus.QUEUED))).isTrue();
        return done;
    }

    private Job succeededJob(double perf, Map<String, Double> metrics) {
        return succeededJob(owner, perf, metrics);
    }

    private static List<JobId> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    @Test
    void metricsAreStoredWithTheSucceededJobFoundAndListed() {
        Map<String, Double> metrics = Map.of("accuracy", 0.91, "loss", 0.23, "top-5.rate_x", -1e-9, "big", 1.7976931348623157e308);
        Job job = succeededJob(0.91, metrics);
        Job found = store().find(job.id()).orElseThrow();
        assertThat(found).isEqualTo(job);
        assertThat(found.metrics()).isEqualTo(metrics);
        assertThat(store().list(owner, Optional.empty(), 10, Optional.empty()).jobs()).singleElement()
                .extracting(Job::metrics).isEqualTo(metrics);
    }

    @Test
    void leaderboardRanksByPerformanceBothWaysAndEqualValuesRankTheEarlierSubmissionFirst() {
        Job middle = succeededJob(0.5, Map.of());
        Job tiedLater = succeededJob(0.9, Map.of());
        Job low = succeededJob(-2, Map.of());
        Job tiedEarlierButSubmittedLast = succeededJob(0.9, Map.of());
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10)))
                .containsExactly(tiedLater.id(), tiedEarlierButSubmittedLast.id(), middle.id(), low.id());
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.ASC, 10)))
                .containsExactly(low.id(), middle.id(), tiedLater.id(), tiedEarlierButSubmittedLast.id());
        assertThat(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10).get(0)).isEqualTo(tiedLater);
    }

    @Test
    void leaderboardByAMetricLeavesOutJobsWithoutItAndJobsNotSucceeded() {
        Job worse = succeededJob(0.99, Map.of("loss", 0.4));
        succeededJob(0.98, Map.of("accuracy", 0.7));
        Job better = succeededJob(0.1, Map.of("loss", 0.1, "accuracy", 0.2));
        Job running = newJob();
        store().create(running, Optional.empty());
        store().update(running.advancedTo(JobStatus.RUNNING, clock), EnumSet.of(JobStatus.QUEUED));
        Job failed = newJob();
        store().create(failed, Optional.empty());
        store().update(failed.failed(Failure.of(FailureCode.INVALID_RESULT, "metric \"loss\" must be a number"), clock),
                EnumSet.of(JobStatus.QUEUED));
        assertThat(ids(store().ranked(owner, "loss", RankOrder.ASC, 10))).containsExactly(better.id(), worse.id());
        assertThat(ids(store().ranked(owner, "loss", RankOrder.DESC, 10))).containsExactly(worse.id(), better.id());
        assertThat(store().ranked(owner, "nobody-has-this", RankOrder.DESC, 10)).isEmpty();
        assertThat(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10)).hasSize(3);
    }

    @Test
    void leaderboardShowsOnlyTheOwnersJobs() {
        Job mine = succeededJob(0.1, Map.of("a", 1.0));
        succeededJob("other-" + UUID.randomUUID(), 0.9, Map.of("a", 9.0));
        assertThat(ids(store().ranked(owner, "a", RankOrder.DESC, 10))).containsExactly(mine.id());
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10))).containsExactly(mine.id());
        assertThat(ids(store().history(owner, "a", 10))).containsExactly(mine.id());
    }

    @Test
    void leaderboardKeepsTheBestUpToTheLimitAcrossManyJobs() {
        // More jobs than one internal page, the best ones first, last and in the middle of submission order.
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            double score = i == 0 ? 1000 : i == 129 ? 999 : i == 64 ? 998 : i % 17;
            jobs.add(succeededJob(score, Map.of("score", -score)));
        }
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 3)))
                .containsExactly(jobs.get(0).id(), jobs.get(129).id(), jobs.get(64).id());
        assertThat(ids(store().ranked(owner, "score", RankOrder.ASC, 3)))
                .containsExactly(jobs.get(0).id(), jobs.get(129).id(), jobs.get(64).id());
        // Ties (score 0: i = 17, 34, ...) come in submission order.
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.ASC, 4)))
                .containsExactly(jobs.get(17).id(), jobs.get(34).id(), jobs.get(51).id(), jobs.get(68).id());
    }

    @Test
    void aDeletedJobLeavesTheLeaderboardAndTheHistory() {
        Job kept = succeededJob(0.5, Map.of("m", 1.0));
        Job deleted = succeededJob(0.9, Map.of("m", 2.0));
        assertThat(store().delete(deleted.id())).isTrue();
        assertThat(ids(store().ranked(owner, "m", RankOrder.DESC, 10))).containsExactly(kept.id());
        assertThat(ids(store().ranked(owner, Metrics.PERFORMANCE, RankOrder.DESC, 10))).containsExactly(kept.id());
        assertThat(ids(store().history(owner, "m", 10))).containsExactly(kept.id());
    }

    @Test
    void historyIsTheLatestSubmissionsWithTheMetricOldestFirst() {
        Job first = succeededJob(0.1, Map.of("acc", 0.1));
        succeededJob(0.2, Map.of());
        Job third = succeededJob(0.3, Map.of("acc", 0.3));
        Job fourth = succeededJob(0.4, Map.of("acc", 0.2));
        Job fifth = succeededJob(0.5, Map.of("acc", 0.5));
        assertThat(ids(store().history(owner, "acc", 10))).containsExactly(first.id(), third.id(), fourth.id(), fifth.id());
        assertThat(ids(store().history(owner, "acc", 2))).containsExactly(fourth.id(), fifth.id());
        assertThat(store().history(owner, Metrics.PERFORMANCE, 10)).hasSize(5);
        assertThat(store().history(owner, "missing", 10)).isEmpty();
    }

    @Test
    void unknownJobIsNotFound() {
        assertThat(store().find(JobId.random())).isEmpty();
    }

    @Test
    void aJobTheUserCancelledRoundTripsCancelledWithTheCodeCancelled() {
        Job job = newJob();
        store().create(job, Optional.empty());
        Job building = job.advancedTo(JobStatus.BUILDING, clock.plusSeconds(1));
        assertThat(store().update(building, EnumSet.of(JobStatus.QUEUED))).isTrue();
        assertThat(store().update(building.cancelled(clock.plusSeconds(2)), EnumSet.of(JobStatus.BUILDING))).isTrue();

        Job read = store().find(job.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(read.failure()).isEqualTo(Failure.of(FailureCode.CANCELLED, "Cancelled by the user while BUILDING"));
        assertThat(read.failedThroughPlatformFault()).as("a cancel counts against the quotas").isFalse();
    }

    @Test
    void updateIsRefusedWhenStoredStatusMovedOn() {
        Job job = newJob();
        store().create(job, Optional.empty());
        Job cancelled = job.cancelled(clock.plusSeconds(1));
        assertThat(store().update(cancelled, EnumSet.of(JobStatus.QUEUED))).isTrue();

        Job lateSuccess = job.succeeded(0.99, clock.plusSeconds(2));
        assertThat(store().update(lateSuccess, EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING))).isFalse();
        assertThat(store().find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void updateOfDeletedJobDoesNotResurrectIt() {
        Job job = newJob();
        store().create(job, Optional.empty());
        assertThat(store().delete(job.id())).isTrue();
        assertThat(store().update(job.advancedTo(JobStatus.BUILDING, clock), EnumSet.of(JobStatus.QUEUED))).isFalse();
        assertThat(store().find(job.id())).isEmpty();
        assertThat(store().delete(job.id())).isFalse();
    }

    @Test
    void sameIdempotencyKeyReturnsTheFirstJob() {
        Job first = newJob();
        Job retry = newJob();
        JobStore.CreateResult a = store().create(first, Optional.of(new IdempotencyKey("key-1", "fp")));
        JobStore.CreateResult b = store().create(retry, Optional.of(new IdempotencyKey("key-1", "fp")));
        assertThat(a.created()).isTrue();
        assertThat(b.created()).isFalse();
        assertThat(b.job().id()).isEqualTo(first.id());
        assertThat(store().find(retry.id())).isEmpty();
    }

    @Test
    void sameIdempotencyKeyWithDifferentRequestIsAConflict() {
        store().create(newJob(), Optional.of(new IdempotencyKey("key-2", "fp-a")));
        assertThatThrownBy(() -> store().create(newJob(), Optional.of(new IdempotencyKey("key-2", "fp-b"))))
                .isInstanceOf(JobStore.IdempotencyConflictException.class);
    }

    @Test
    void idempotencyKeysOfDifferentOwnersDoNotCollide() {
        Job mine = newJob();
        Job theirs = Job.queued(JobId.random(), "other-" + UUID.randomUUID(), null, null, clock);
        assertThat(store().create(mine, Optional.of(new IdempotencyKey("k", "fp"))).created()).isTrue();
        assertThat(store().create(theirs, Optional.of(new IdempotencyKey("k", "fp"))).created()).isTrue();
    }

    @Test
    void unfinishedJobsAreFound() {
        Job queued = newJob();
        Job running = newJob();
        Job done = newJob();
        for (Job j : List.of(queued, running, done)) {
            store().create(j, Optional.empty());
        }
        store().update(running.advancedTo(JobStatus.BUILDING, clock), EnumSet.of(JobStatus.QUEUED));
        store().update(done.succeeded(1.0, clock), EnumSet.of(JobStatus.QUEUED));
        assertThat(store().findUnfinished()).extracting(Job::id)
                .contains(queued.id(), running.id()).doesNotContain(done.id());
    }

    @Test
    void updateSucceedsWhenStoredStatusIsAnyOfTheExpected() {
        Job job = newJob();
        store().create(job, Optional.empty());
        Job building = job.advancedTo(JobStatus.BUILDING, clock.plusSeconds(1));
        assertThat(store().update(building, EnumSet.of(JobStatus.QUEUED))).isTrue();
        Job cancelled = building.cancelled(clock.plusSeconds(2));
        assertThat(store().update(cancelled, EnumSet.of(JobStatus.QUEUED, JobStatus.BUILDING, JobStatus.SCANNING))).isTrue();
        assertThat(store().find(job.id())).contains(cancelled);
    }

    @Test
    void updateWithNoExpectedStatusWritesNothing() {
        Job job = newJob();
        store().create(job, Optional.empty());
        assertThat(store().update(job.advancedTo(JobStatus.BUILDING, clock), EnumSet.noneOf(JobStatus.class))).isFalse();
        assertThat(store().find(job.id())).contains(job);
    }

    @Test
    void idempotencyConflictStoresNothing() {
        Job first = newJob();
        Job other = newJob();
        store().create(first, Optional.of(new IdempotencyKey("key-3", "fp-a")));
        assertThatThrownBy(() -> store().create(other, Optional.of(new IdempotencyKey("key-3", "fp-b"))))
                .isInstanceOf(JobStore.IdempotencyConflictException.class);
        assertThat(store().find(other.id())).isEmpty();
        assertThat(store().find(first.id())).contains(first);
    }

    @Test
    void idempotencyKeyIsFreeAgainAfterItsJobWasDeleted() {
        Job first = newJob();
        store().create(first, Optional.of(new IdempotencyKey("key-4", "fp")));
        assertThat(store().delete(first.id())).isTrue();

        Job second = newJob();
        JobStore.CreateResult again = store().create(second, Optional.of(new IdempotencyKey("key-4", "fp")));
        assertThat(again.created()).isTrue();
        assertThat(store().find(second.id())).contains(second);

        JobStore.CreateResult retry = store().create(newJob(), Optional.of(new IdempotencyKey("key-4", "fp")));
        assertThat(retry.created()).isFalse();
        assertThat(retry.job().id()).isEqualTo(second.id());
    }

    @Test
    void deletedJobIsNeitherFoundNorListed() {
        Job kept = newJob();
        Job deleted = newJob();
        store().create(kept, Optional.empty());
        store().create(deleted, Optional.empty());
        assertThat(store().delete(deleted.id())).isTrue();
        assertThat(store().find(deleted.id())).isEmpty();
        assertThat(store().list(owner, Optional.empty(), 10, Optional.empty()).jobs()).extracting(Job::id)
                .containsExactly(kept.id());
        assertThat(store().findUnfinished()).extracting(Job::id).doesNotContain(deleted.id());
    }

    @Test
    void unfinishedJobsOfEveryOwnerAreFound() {
        Job mine = newJob();
        Job theirs = Job.queued(JobId.random(), "other-" + UUID.randomUUID(), null, null, clock);
        store().create(mine, Optional.empty());
        store().create(theirs, Optional.empty());
        assertThat(store().findUnfinished()).extracting(Job::id).contains(mine.id(), theirs.id());
    }
}
