package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.PerfboxVersion;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobServiceTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String OWNER = "alice";

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryDockerfileStore dockerfiles = new InMemoryDockerfileStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    private final JobService service = serviceWith(jobs);

    private JobService serviceWith(InMemoryJobStore store) {
        return new JobService(store, dockerfiles, artifacts, launcher, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static SubmitJobCommand command(String owner, String dockerfile, String idempotencyKey) {
        return new SubmitJobCommand(owner, "bench", "a benchmark", new Dockerfile(dockerfile),
                Optional.ofNullable(idempotencyKey));
    }

    private Job submitted() {
        return service.submit(command(OWNER, "FROM debian:bookworm", null)).job();
    }

    private Job storedIn(Job job, JobStatus status) {
        Job moved = JobFixtures.inStatus(job, status, NOW);
        assertThat(jobs.update(moved, EnumSet.of(JobStatus.QUEUED))).isTrue();
        return moved;
    }

    @Test
    void aSubmittedJobsReceiptNamesTheDockerfilesSha256AndThisPerfbox() {
        Job job = service.submit(command(OWNER, "FROM debian:bookworm\nCMD true", null)).job();

        // printf 'FROM debian:bookworm\nCMD true' | sha256sum
        assertThat(job.receipt().dockerfileSha256()).isEqualTo(
                "7b5e6cafcf7c6376901a31fd362958a3905b7746f5ff7cadd4bfdea11eaf1d2b");
        assertThat(job.receipt().perfboxVersion()).isEqualTo(PerfboxVersion.current());
        assertThat(jobs.find(job.id()).orElseThrow().receipt()).isEqualTo(job.receipt());
    }

    @Test
    void aSubmissionOfSeveralRunsIsQueuedAskingForThemAndOneMoreThanTheRuntimeRunsIsRefused() {
        var three = new SubmitJobCommand(OWNER, null, null, new Dockerfile("FROM debian:bookworm\n"), Optional.empty(), 3);
        assertThat(service.submit(three).job().runs()).isEqualTo(Runs.of(3));

        JobService once = serviceWith(jobs).withMaxRuns(1);
        Assertions.assertThatThrownBy(() -> once.submit(three))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo("invalid-runs");
                    assertThat(e.getMessage()).contains("\"runs\"", "1 to 1", "not 3");
                });
        assertThat(launcher.started()).hasSize(1);
        var one = new SubmitJobCommand(OWNER, null, null, new Dockerfile("FROM debian:bookworm\n"), Optional.empty(), 1);
        assertThat(once.submit(one).job().runs().requested()).isEqualTo(1);
    }

    @Test
    void submitStoresTheDockerfileAndAQueuedJobThenStartsThePipeline() {
        var submitted = service.submit(command(OWNER, "FROM debian:bookworm\nCMD true", null));
        Job job = submitted.job();

        assertThat(submitted.created()).isTrue();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.owner()).isEqualTo(OWNER);
        assertThat(job.name()).isEqualTo("bench");
        assertThat(job.createdAt()).isEqualTo(NOW);
        assertThat(job.stages().queuedAt()).isEqualTo(NOW);
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(dockerfiles.load(job.id())).contains(new Dockerfile("FROM debian:bookworm\nCMD true"));
        assertThat(launcher.started()).containsExactly(job.id());
    }

    @Test
    void retryWithTheSameKeyReturnsTheSameJobWithoutASecondJobOrDockerfile() {
        var first = service.submit(command(OWNER, "FROM debian:bookworm", "retry-1"));
        var retry = service.submit(command(OWNER, "FROM debian:bookworm", "retry-1"));

        assertThat(retry.created()).isFalse();
        assertThat(retry.job()).isEqualTo(first.job());
        // Still QUEUED: started again, which the launcher makes a no-op for a job it already started.
        assertThat(launcher.started()).containsExactly(first.job().id(), first.job().id());
        assertThat(dockerfiles.size()).isEqualTo(1);
        assertThat(dockerfiles.load(first.job().id())).isPresent();
    }

    @Test
    void reusingAKeyForADifferentRequestIsUnprocessable() {
        var first = service.submit(command(OWNER, "FROM debian:bookworm", "retry-1"));

        assertThatThrownBy(() -> service.submit(command(OWNER, "FROM debian:12", "retry-1")))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.UNPROCESSABLE);
                    assertThat(e.reason()).isEqualTo("idempotency-key-reused");
                })
                .hasMessageContaining("retry-1");
        assertThat(dockerfiles.size()).isEqualTo(1);
        assertThat(launcher.started()).containsExactly(first.job().id());
    }

    @Test
    void theSameKeyFromAnotherOwnerIsANewJob() {
        var mine = service.submit(command(OWNER, "FROM debian:bookworm", "k"));
        var theirs = service.submit(command("bob", "FROM debian:bookworm", "k"));
        assertThat(theirs.created()).isTrue();
        assertThat(theirs.job().id()).isNotEqualTo(mine.job().id());
    }

    @Test
    void aJobWhoseStartFailedIsStartedByTheRetriedSubmit() {
        RecordingPipelineLauncher failsOnce = new RecordingPipelineLauncher() {
            private boolean failed;

            @Override
            public void start(JobId id) {
                if (!failed) {
                    failed = true;
                    throw new IllegalStateException("StartExecution unavailable");
                }
                super.start(id);
            }
        };
        JobService flaky = new JobService(jobs, dockerfiles, artifacts, failsOnce, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> flaky.submit(command(OWNER, "FROM debian:bookworm", "k-1")))
                .hasMessage("StartExecution unavailable");
        var retry = flaky.submit(command(OWNER, "FROM debian:bookworm", "k-1"));
        assertThat(retry.created()).isFalse();
        assertThat(retry.job().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(failsOnce.started()).containsExactly(retry.job().id());
    }

    @Test
    void aRetriedSubmitOfAJobAlreadyUnderWayDoesNotStartItAgain() {
        var first = service.submit(command(OWNER, "FROM debian:bookworm", "k-2"));
        Job building = first.job().advancedTo(JobStatus.BUILDING, NOW.plusSeconds(1));
        assertThat(jobs.update(building, EnumSet.of(JobStatus.QUEUED))).isTrue();
        service.submit(command(OWNER, "FROM debian:bookworm", "k-2"));
        assertThat(launcher.started()).containsExactly(first.job().id());
    }

    @Test
    void aFailingJobStoreLeavesNoDockerfileBehindAndStartsNothing() {
        InMemoryJobStore broken = new InMemoryJobStore() {
            @Override
            public CreateResult create(Job job, Optional<IdempotencyKey> key) {
                throw new IllegalStateException("store unavailable");
            }
        };
        assertThatThrownBy(() -> serviceWith(broken).submit(command(OWNER, "FROM debian:bookworm", null)))
                .hasMessage("store unavailable");
        assertThat(dockerfiles.size()).isZero();
        assertThat(launcher.started()).isEmpty();
    }

    @Test
    void ownerGetsTheirJob() {
        Job job = submitted();
        assertThat(service.get(OWNER, job.id())).isEqualTo(job);
    }

    @Test
    void anotherOwnersJobIsNotFoundAndLeftAlone() {
        Job job = submitted();
        assertThatThrownBy(() -> service.get("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.logs("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.scan("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.cancel("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.delete("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(launcher.stopped()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void cancellingAJobUnderWayStopsItAndKeepsTheJobWithItsLogsAndScan(JobStatus underWay) {
        Job job = underWay == JobStatus.QUEUED ? submitted() : storedIn(submitted(), underWay);
        artifacts.saveLog(job.id(), LogKind.BUILD, new CapturedLog("built", false));
        artifacts.saveScanReport(job.id(), new ScanReport("trivy", "1", List.of()));

        Job cancelled = service.cancel(OWNER, job.id());

        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.failure().message()).contains(underWay.name());
        assertThat(launcher.stopped()).containsExactly(job.id());
        assertThat(service.get(OWNER, job.id()).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(service.logs(OWNER, job.id()).build().text()).isEqualTo("built");
        assertThat(service.scan(OWNER, job.id()).report()).isPresent();
        assertThat(dockerfiles.load(job.id())).isPresent();
    }

    @Test
    void cancellingACancelledJobAnswersItAgainAndStopsNothingMore() {
        Job job = submitted();
        Job cancelled = service.cancel(OWNER, job.id());

        assertThat(service.cancel(OWNER, job.id())).isEqualTo(cancelled);
        assertThat(launcher.stopped()).containsExactly(job.id());
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED"})
    void cancellingAJobThatEndedIsAConflictAndChangesNothing(JobStatus ended) {
        Job job = storedIn(submitted(), ended);

        assertThatThrownBy(() -> service.cancel(OWNER, job.id()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.CONFLICT);
                    assertThat(e.reason()).isEqualTo("job-already-ended");
                });
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(launcher.stopped()).isEmpty();
    }

    @Test
    void cancelRetriesWhenAStepMovedTheJobOnAndStillCancelsIt() {
        Job job = storedIn(submitted(), JobStatus.BUILDING);
        // The build step wins the first write: the job is SCANNING when cancel's first compare-and-set runs.
        InMemoryJobStore racing = new InMemoryJobStore() {
            private boolean raced;

            @Override
            public boolean update(Job updated, Set<JobStatus> expected) {
                if (!raced && updated.status() == JobStatus.CANCELLED) {
                    raced = true;
                    jobs.update(JobFixtures.inStatus(job, JobStatus.SCANNING, NOW), EnumSet.of(JobStatus.BUILDING));
                }
                return jobs.update(updated, expected);
            }

            @Override
            public Optional<Job> find(JobId id) {
                return jobs.find(id);
            }
        };

        Job cancelled = serviceWith(racing).cancel(OWNER, job.id());

        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.failure().message()).contains("SCANNING");
        assertThat(jobs.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(launcher.stopped()).containsExactly(job.id());
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void aStepReportingAfterCancelRecordsNothingAndTheJobStaysCancelled(JobStatus step) {
        Job job = storedIn(submitted(), step);
        JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, 64L << 20,
                JobResources.RELEASED_ELSEWHERE, Clock.fixed(NOW, ZoneOffset.UTC));
        CapturedLog late = new CapturedLog("late output", false);

        Job cancelled = service.cancel(OWNER, job.id());
        JobLifecycle.Next next = switch (step) {
            case BUILDING -> lifecycle.built(job.id(), new ImageBuilder.Built("img", late));
            case SCANNING -> lifecycle.scanned(job.id(), new JobLifecycle.Scanned(new ScanReport("trivy", "1", List.of())));
            default -> lifecycle.ran(job.id(), new ContainerRunner.Exited(0, late),
                    () -> new JobWorkspace.Content("0.5".getBytes(StandardCharsets.UTF_8)));
        };

        assertThat(next).isEqualTo(JobLifecycle.Next.STOPPED);
        assertThat(jobs.find(job.id())).contains(cancelled);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void deletingAJobUnderWayIsAConflictThatNamesCancelAndRemovesNothing(JobStatus underWay) {
        Job job = underWay == JobStatus.QUEUED ? submitted() : storedIn(submitted(), underWay);

        assertThatThrownBy(() -> service.delete(OWNER, job.id()))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.CONFLICT);
                    assertThat(e.reason()).isEqualTo("job-not-finished");
                    assertThat(e.getMessage()).contains("/cancel");
                });
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(dockerfiles.load(job.id())).isPresent();
        assertThat(launcher.stopped()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void deleteRemovesAFinishedJobAndItsFiles(JobStatus finished) {
        Job job = storedIn(submitted(), finished);
        artifacts.saveLog(job.id(), LogKind.RUN, new CapturedLog("ran", false));

        assertThat(service.delete(OWNER, job.id())).isEqualTo(job);

        assertThat(launcher.stopped()).isEmpty();
        assertThat(jobs.find(job.id())).isEmpty();
        assertThat(dockerfiles.load(job.id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(job.id())).isFalse();
        assertThatThrownBy(() -> service.get(OWNER, job.id())).isInstanceOf(JobNotFoundException.class);
    }

    @Test
    void anotherOwnerCanNeitherCancelNorDelete() {
        Job job = submitted();
        assertThatThrownBy(() -> service.cancel("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThatThrownBy(() -> service.delete("mallory", job.id())).isInstanceOf(JobNotFoundException.class);
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(launcher.stopped()).isEmpty();
    }

    @Test
    void unknownJobIsNotFound() {
        JobId unknown = JobId.random();
        assertThatThrownBy(() -> service.get(OWNER, unknown))
                .isInstanceOfSatisfying(JobNotFoundException.class, e -> assertThat(e.jobId()).isEqualTo(unknown));
    }

    /** What a client does to be rid of a job under way: cancel it, then delete it (a delete refuses a job under way). */
    private Job cancelThenDelete(JobId id) {
        Job cancelled = service.cancel(OWNER, id);
        service.delete(OWNER, id);
        return cancelled;
    }

    @Test
    void cancellingARunningJobStopsItAndRemovesEverything() {
        Job job = storedIn(submitted(), JobStatus.RUNNING);
        artifacts.saveLog(job.id(), LogKind.BUILD, new CapturedLog("built", false));
        artifacts.saveScanReport(job.id(), new ScanReport("trivy", "1", List.of()));

        Job ended = cancelThenDelete(job.id());

        assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(ended.failure().code()).isEqualTo(FailureCode.CANCELLED);
        assertThat(ended.failure().message()).contains("RUNNING");
        assertThat(ended.stages().finishedAt()).isEqualTo(NOW);
        assertThat(launcher.stopped()).containsExactly(job.id());
        assertThat(jobs.find(job.id())).isEmpty();
        assertThat(dockerfiles.load(job.id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(job.id())).isFalse();
    }

    @Test
    void cancellingAQueuedJobStopsItSoItNeverStarts() {
        Job job = submitted();
        assertThat(cancelThenDelete(job.id()).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(launcher.stopped()).containsExactly(job.id());
        assertThat(jobs.find(job.id())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void aStepReportingAfterCancelAndDeleteRecordsNothingAndRecreatesNothing(JobStatus step) {
        Job job = storedIn(submitted(), step);
        JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, 64L << 20,
                JobResources.RELEASED_ELSEWHERE, Clock.fixed(NOW, ZoneOffset.UTC));
        CapturedLog late = new CapturedLog("late output", false);

        cancelThenDelete(job.id());
        JobLifecycle.Next next = switch (step) {
            case BUILDING -> lifecycle.built(job.id(), new ImageBuilder.Built("img", late));
            case SCANNING -> lifecycle.scanned(job.id(), new JobLifecycle.Scanned(new ScanReport("trivy", "1", List.of())));
            default -> lifecycle.ran(job.id(), new ContainerRunner.Exited(0, late),
                    () -> new JobWorkspace.Content("0.5".getBytes(StandardCharsets.UTF_8)));
        };

        assertThat(next).isEqualTo(JobLifecycle.Next.STOPPED);
        assertThat(jobs.find(job.id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(job.id())).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void deletingAFinishedJobRemovesItWithoutStoppingAnything(JobStatus finished) {
        Job job = storedIn(submitted(), finished);
        artifacts.saveLog(job.id(), LogKind.RUN, new CapturedLog("ran", false));

        assertThat(service.delete(OWNER, job.id())).isEqualTo(job);

        assertThat(launcher.stopped()).isEmpty();
        assertThat(jobs.find(job.id())).isEmpty();
        assertThat(dockerfiles.load(job.id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(job.id())).isFalse();
    }

    @Test
    void logsAndScanReportAreReturnedAndMissingLogsAreEmpty() {
        Job job = submitted();
        CapturedLog build = new CapturedLog("step 1/2", true);
        ScanReport report = new ScanReport("trivy", "0.58.0", List.of());
        artifacts.saveLog(job.id(), LogKind.BUILD, build);
        artifacts.saveScanReport(job.id(), report);

        var logs = service.logs(OWNER, job.id());
        assertThat(logs.build()).isEqualTo(build);
        assertThat(logs.run()).isEqualTo(CapturedLog.EMPTY);
        assertThat(service.scan(OWNER, job.id()).report()).contains(report);
    }

    @Test
    void listReturnsOnlyTheOwnersJobsNewestFirst() {
        Job older = jobs.create(Job.queued(JobId.random(), OWNER, null, null, NOW), Optional.empty()).job();
        Job newer = jobs.create(Job.queued(JobId.random(), OWNER, null, null, NOW.plusSeconds(1)), Optional.empty()).job();
        jobs.create(Job.queued(JobId.random(), "bob", null, null, NOW), Optional.empty());

        var page = service.list(new ListJobsQuery(OWNER, 10, Optional.empty(), Optional.empty()));
        assertThat(page.jobs()).containsExactly(newer, older);
        assertThat(page.nextToken()).isEmpty();
    }

    @Test
    void listWithATokenThisApiDidNotIssueIsInvalidInput() {
        assertThatThrownBy(() -> service.list(new ListJobsQuery(OWNER, 10, Optional.of("%%%not-a-token"), Optional.empty())))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.BAD_REQUEST);
                    assertThat(e.reason()).isEqualTo("invalid-next-token");
                });
    }
}
