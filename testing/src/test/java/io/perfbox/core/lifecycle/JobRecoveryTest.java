package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.RecordingJobResources;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobRecoveryTest {
    private static final Instant CREATED = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant RESTARTED = CREATED.plusSeconds(3600);

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final RecordingJobResources resources = new RecordingJobResources(jobs);
    private final JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, 64L << 20,
            resources, Clock.fixed(RESTARTED, ZoneOffset.UTC));
    private final JobRecovery recovery = new JobRecovery(jobs, lifecycle, launcher);

    private Job stored(JobStatus status) {
        Job job = Job.queued(JobId.random(), "owner-" + status, null, null, CREATED);
        jobs.create(job, Optional.empty());
        Job moved = JobFixtures.inStatus(job, status, CREATED);
        jobs.update(moved, EnumSet.of(JobStatus.QUEUED));
        return moved;
    }

    @Test
    void queuedJobIsStartedAgainAndStaysQueued() {
        Job queued = stored(JobStatus.QUEUED);
        assertThat(recovery.recover()).isEqualTo(new JobRecovery.Recovered(1, 0));
        assertThat(launcher.started()).containsExactly(queued.id());
        assertThat(jobs.find(queued.id())).contains(queued);
        assertThat(resources.releases()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void jobCaughtMidwayEndsFailedInterruptedNamingTheStage(JobStatus midway) {
        Job job = stored(midway);
        assertThat(recovery.recover()).isEqualTo(new JobRecovery.Recovered(0, 1));

        Job now = jobs.find(job.id()).orElseThrow();
        assertThat(now.status()).isEqualTo(JobStatus.FAILED);
        assertThat(now.failure().code()).isEqualTo(FailureCode.INTERRUPTED);
        assertThat(now.failure().message())
                .isEqualTo("perfbox stopped while the job was " + midway + "; submit it again");
        assertThat(now.stages().finishedAt()).isEqualTo(RESTARTED);
        assertThat(launcher.started()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void whatAnInterruptedJobLeftBehindIsReleasedBeforeItIsMarkedFailed(JobStatus midway) {
        Job job = stored(midway);

        recovery.recover();

        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(job.id(), Optional.of(midway), false));
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void finishedJobIsLeftUntouched(JobStatus finished) {
        Job job = stored(finished);
        assertThat(recovery.recover()).isEqualTo(new JobRecovery.Recovered(0, 0));
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(launcher.started()).isEmpty();
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void jobCancelledWhileRecoveryRunsStaysCancelledAndIsNotCounted() {
        Job running = stored(JobStatus.RUNNING);
        Job cancelled = running.cancelled(RESTARTED);
        InMemoryJobStore racing = new InMemoryJobStore() {
            @Override
            public synchronized boolean update(Job updated, Set<JobStatus> expected) {
                if (updated.status() == JobStatus.FAILED) {
                    super.update(cancelled, EnumSet.of(JobStatus.RUNNING));
                }
                return super.update(updated, expected);
            }
        };
        racing.create(running, Optional.empty());
        JobLifecycle racingLifecycle = new JobLifecycle(racing, artifacts, VulnerabilityPolicy.DEFAULT, 64L << 20,
                JobResources.RELEASED_ELSEWHERE, Clock.fixed(RESTARTED, ZoneOffset.UTC));

        assertThat(new JobRecovery(racing, racingLifecycle, launcher).recover()).isEqualTo(new JobRecovery.Recovered(0, 0));
        assertThat(racing.find(running.id())).contains(cancelled);
    }

    @Test
    void everyUnfinishedJobOfEveryOwnerIsRecoveredInOnePass() {
        Job queued = stored(JobStatus.QUEUED);
        Job building = stored(JobStatus.BUILDING);
        Job scanning = stored(JobStatus.SCANNING);
        Job running = stored(JobStatus.RUNNING);
        stored(JobStatus.SUCCEEDED);

        assertThat(recovery.recover()).isEqualTo(new JobRecovery.Recovered(1, 3));
        assertThat(launcher.started()).containsExactly(queued.id());
        assertThat(jobs.findUnfinished()).extracting(Job::id).containsExactly(queued.id());
        assertThat(jobs.find(building.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(jobs.find(scanning.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(jobs.find(running.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    }
}
