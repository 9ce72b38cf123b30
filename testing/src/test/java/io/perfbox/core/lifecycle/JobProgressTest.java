package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.lifecycle.JobProgress.NotBuilt;
import io.perfbox.core.lifecycle.JobProgress.ScanFailed;
import io.perfbox.core.lifecycle.JobProgress.Scanned;
import io.perfbox.core.lifecycle.JobProgress.WorkflowEnd;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.InMemoryJobWorkspace;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.ScriptedContainerRunner;
import io.perfbox.testing.fakes.ScriptedImageBuilder;
import io.perfbox.testing.fakes.ScriptedVulnerabilityScanner;
import io.perfbox.testing.fakes.SteppingClock;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class JobProgressTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final long MEMORY_LIMIT = 2048L << 20;
    private static final CapturedLog BUILD_LOG = new CapturedLog("#1 [1/2] FROM debian:bookworm", false);
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1 done", true);
    private static final ScanReport CLEAN = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2023-1", "zlib", "1.2", "1.3", Severity.MEDIUM, "t", "debian")));
    private static final ScanReport VULNERABLE = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2024-6387", "openssh-server", "9.2", "9.2p1-2", Severity.CRITICAL, "regreSSHion", "debian"),
            new Finding("CVE-2023-2", "curl", "8.0", null, Severity.LOW, "t", "debian")));

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final JobProgress progress = progressOn(jobs);
    private final Job queued = Job.queued(JobId.random(), "alice", "bench", null, START);

    JobProgressTest() {
        jobs.create(queued, Optional.empty());
    }

    private JobProgress progressOn(InMemoryJobStore store) {
        return new JobProgress(store, artifacts, VulnerabilityPolicy.DEFAULT, MEMORY_LIMIT, new SteppingClock(START));
    }

    private JobId id() {
        return queued.id();
    }

    private Job stored() {
        return jobs.find(id()).orElseThrow();
    }

    private Job putIn(JobStatus status) {
        Job moved = JobFixtures.inStatus(queued, status, START);
        jobs.update(moved, EnumSet.allOf(JobStatus.class));
        return moved;
    }

    private static Supplier<JobWorkspace.ResultFile> perfJson(String text) {
        return () -> new JobWorkspace.Content(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Supplier<JobWorkspace.ResultFile> neverAsked() {
        return () -> {
            throw new AssertionError("the result file was read although the run did not exit 0");
        };
    }

    private void assertFailed(FailureCode code, String... messageParts) {
        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(code);
        assertThat(job.failure().message()).contains(messageParts);
        assertThat(job.performance()).isNull();
        assertThat(job.stages().finishedAt()).isNotNull();
    }

    /** A job store in which the job is deleted (or cancelled) just before the first status write lands. */
    private InMemoryJobStore storeWhereTheJobIs(JobStatus setUp, boolean deleted) {
        InMemoryJobStore racing = new InMemoryJobStore() {
            private boolean raced;

            @Override
            public synchronized boolean update(Job updated, Set<JobStatus> expected) {
                if (!raced && updated.id().equals(id()) && !expected.containsAll(EnumSet.allOf(JobStatus.class))) {
                    raced = true;
                    if (deleted) {
                        delete(id());
                    } else {
                        Job current = find(id()).orElseThrow();
                        super.update(current.cancelled(START.plusSeconds(30)), EnumSet.of(current.status()));
                    }
                }
                return super.update(updated, expected);
            }
        };
        racing.create(queued, Optional.empty());
        racing.update(JobFixtures.inStatus(queued, setUp, START), EnumSet.allOf(JobStatus.class));
        return racing;
    }

    // ---- begin ----

    @Test
    void beginMovesAQueuedJobToBuilding() {
        assertThat(progress.begin(id())).isTrue();
        assertThat(stored().status()).isEqualTo(JobStatus.BUILDING);
        assertThat(stored().stages().buildStartedAt()).isAfter(START);
    }

    @Test
    void repeatedBeginProceedsAndChangesNothing() {
        progress.begin(id());
        Job afterFirst = stored();
        assertThat(progress.begin(id())).isTrue();
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SCANNING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void beginStopsTheWorkflowForAJobThatMovedOn(JobStatus status) {
        Job moved = putIn(status);
        assertThat(progress.begin(id())).isFalse();
        assertThat(stored()).isEqualTo(moved);
    }

    @Test
    void beginStopsTheWorkflowForADeletedJob() {
        jobs.delete(id());
        assertThat(progress.begin(id())).isFalse();
        assertThat(jobs.find(id())).isEmpty();
    }

    // ---- after the build ----

    @Test
    void cleanImageMovesThroughScanningToRunningKeepingLogReportAndCounts() {
        progress.begin(id());

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isTrue();

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        StageTimes s = job.stages();
        assertThat(List.of(s.queuedAt(), s.buildStartedAt(), s.scanStartedAt(), s.runStartedAt()))
                .doesNotContainNull().isSortedAccordingTo(Instant::compareTo).doesNotHaveDuplicates();
        assertThat(job.vulnerabilities().get(Severity.MEDIUM)).isEqualTo(1);
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).contains(CLEAN);
    }

    @Test
    void vulnerableImageEndsVulnerableAndNeverReachesRunning() {
        progress.begin(id());

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(VULNERABLE))).isFalse();

        assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387", "openssh-server", "fixed in 9.2p1-2");
        assertThat(stored().stages().runStartedAt()).isNull();
        assertThat(stored().vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(stored().vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(artifacts.scanReport(id())).contains(VULNERABLE);
    }

    @Test
    void theConfiguredPolicyDecides() {
        JobProgress lenient = new JobProgress(jobs, artifacts, new VulnerabilityPolicy(Severity.CRITICAL, true),
                MEMORY_LIMIT, new SteppingClock(START));
        ScanReport criticalWithoutFix = new ScanReport("trivy", "0.58.1", List.of(
                new Finding("CVE-2024-9", "glibc", "2.36", null, Severity.CRITICAL, "t", "debian")));
        lenient.begin(id());

        assertThat(lenient.afterBuild(id(), BUILD_LOG, new Scanned(criticalWithoutFix))).isTrue();
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void unusableScanEndsScannerUnavailableWithTheReason() {
        progress.begin(id());

        assertThat(progress.afterBuild(id(), BUILD_LOG, new ScanFailed("trivy: DB download failed"))).isFalse();

        assertFailed(FailureCode.SCANNER_UNAVAILABLE, "was not run", "trivy: DB download failed");
        assertThat(stored().stages().scanStartedAt()).isNotNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
    }

    @Test
    void failedBuildEndsWithItsFailureAndKeepsTheLog() {
        progress.begin(id());

        assertThat(progress.afterBuild(id(), BUILD_LOG, new NotBuilt(StepOutcomes.buildFailed("RUN make: exit code 2"))))
                .isFalse();

        assertFailed(FailureCode.BUILD_FAILED, "did not build", "RUN make: exit code 2");
        assertThat(stored().stages().scanStartedAt()).isNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).isEmpty();
    }

    @Test
    void buildTimeoutOfUnknownLengthEndsBuildTimeoutWithTheDetail() {
        progress.begin(id());

        progress.afterBuild(id(), BUILD_LOG, new NotBuilt(StepOutcomes.buildTimedOut("docker build ran 900 s")));

        assertFailed(FailureCode.BUILD_TIMEOUT, "did not finish within its time limit: docker build ran 900 s");
    }

    @Test
    void repeatedAfterBuildOfARunnableImageProceedsAndChangesNothing() {
        progress.begin(id());
        progress.afterBuild(id(), BUILD_LOG, new Scanned(CLEAN));
        Job afterFirst = stored();

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isTrue();
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @Test
    void afterBuildRepeatedAfterACrashInScanningCarriesOn() {
        putIn(JobStatus.SCANNING);

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isTrue();
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void repeatedAfterBuildOfARejectedImageStaysStopped() {
        progress.begin(id());
        progress.afterBuild(id(), BUILD_LOG, new Scanned(VULNERABLE));
        Job afterFirst = stored();

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(VULNERABLE))).isFalse();
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @Test
    void jobCancelledDuringTheBuildStaysCancelledAndGetsNoLog() {
        Job cancelled = putIn(JobStatus.CANCELLED);

        assertThat(progress.afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isFalse();

        assertThat(stored()).isEqualTo(cancelled);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    @Test
    void jobCancelledWhileTheBuildIsRecordedStaysCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, false);

        assertThat(progressOn(racing).afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isFalse();

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void jobDeletedWhileTheBuildIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, true);

        assertThat(progressOn(racing).afterBuild(id(), BUILD_LOG, new Scanned(CLEAN))).isFalse();

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- after the run ----

    @Test
    void runThatExitedZeroWithAValidResultSucceedsWithThePerformance() {
        putIn(JobStatus.RUNNING);

        assertThat(progress.afterRun(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("{\"perf\":0.99}"))).isTrue();

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.99);
        assertThat(job.failure()).isNull();
        assertThat(job.stages().finishedAt()).isAfter(START);
        assertThat(artifacts.log(id(), LogKind.RUN)).contains(RUN_LOG);
    }

    static Stream<ContainerRunner.RunOutcome> runsThatFailed() {
        return Stream.of(new ContainerRunner.Exited(1, RUN_LOG),
                new ContainerRunner.OutOfMemory(137, RUN_LOG),
                new ContainerRunner.TimedOut(Duration.ofMinutes(15), RUN_LOG),
                new ContainerRunner.FailedToStart("CannotPullContainerError: image not found", RUN_LOG));
    }

    @ParameterizedTest
    @MethodSource("runsThatFailed")
    void runThatFailedEndsFailedWithoutReadingTheResultButKeepsTheLog(ContainerRunner.RunOutcome ran) {
        putIn(JobStatus.RUNNING);

        assertThat(progress.afterRun(id(), ran, neverAsked())).isTrue();

        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure()).isEqualTo(StepOutcomes.failureOf(ran, MEMORY_LIMIT).orElseThrow());
        assertThat(artifacts.log(id(), LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void outOfMemoryNamesTheConfiguredLimit() {
        putIn(JobStatus.RUNNING);
        progress.afterRun(id(), new ContainerRunner.OutOfMemory(137, RUN_LOG), neverAsked());
        assertFailed(FailureCode.OUT_OF_MEMORY, "2048 MiB");
    }

    @Test
    void timeoutSaysHowLongTheRunWasAllowed() {
        putIn(JobStatus.RUNNING);
        progress.afterRun(id(), new ContainerRunner.TimedOut(Duration.ofMinutes(15), RUN_LOG), neverAsked());
        assertFailed(FailureCode.RUN_TIMEOUT, "still running after 15 minutes");
    }

    static Stream<JobWorkspace.ResultFile> unusableResults() {
        return Stream.of(new JobWorkspace.Missing(), new JobWorkspace.NotRegularFile("symbolic link"),
                new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES),
                new JobWorkspace.Content("{\"perf\":\"fast\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("unusableResults")
    void unusableResultEndsFailedAsTheResultRulesSay(JobWorkspace.ResultFile file) {
        putIn(JobStatus.RUNNING);

        progress.afterRun(id(), new ContainerRunner.Exited(0, RUN_LOG), () -> file);

        StepOutcomes.Rejected expected = (StepOutcomes.Rejected) StepOutcomes.collect(file);
        assertThat(stored().failure()).isEqualTo(expected.failure());
        assertThat(stored().failure().code()).isIn(FailureCode.NO_RESULT, FailureCode.INVALID_RESULT);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void runOfAJobThatIsNotRunningIsNotRecorded(JobStatus status) {
        Job moved = putIn(status);

        assertThat(progress.afterRun(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isFalse();

        assertThat(stored()).isEqualTo(moved);
        assertThat(artifacts.log(id(), LogKind.RUN)).isEmpty();
    }

    @Test
    void resultThatCannotBeHadIsAnErrorNotAVerdict() {
        putIn(JobStatus.RUNNING);
        Supplier<JobWorkspace.ResultFile> unavailable = () -> {
            throw new IllegalArgumentException("the workflow passed no result");
        };

        assertThatThrownBy(() -> progress.afterRun(id(), new ContainerRunner.Exited(0, RUN_LOG), unavailable))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void jobDeletedWhileTheRunIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, true);

        assertThat(progressOn(racing).afterRun(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isFalse();

        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- failures reported by the workflow ----

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void failEndsAnActiveJob(JobStatus status) {
        putIn(status);
        Failure failure = StepOutcomes.internal("Lambda.Unknown: the after-build step crashed");

        assertThat(progress.fail(id(), failure)).isTrue();

        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure()).isEqualTo(failure);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void failLeavesAnEndedJobAsItIs(JobStatus status) {
        Job ended = putIn(status);
        assertThat(progress.fail(id(), StepOutcomes.internal("late"))).isFalse();
        assertThat(stored()).isEqualTo(ended);
    }

    @Test
    void abortedWorkflowEndsAnActiveJobInterruptedNamingWhereItStopped() {
        putIn(JobStatus.RUNNING);

        assertThat(progress.workflowEnded(id(), WorkflowEnd.ABORTED)).isTrue();

        assertFailed(FailureCode.INTERRUPTED, "stopped while the job was RUNNING");
    }

    @ParameterizedTest
    @EnumSource(value = WorkflowEnd.class, names = {"TIMED_OUT", "FAILED"})
    void workflowThatTimedOutOrFailedEndsAnActiveJobInternal(WorkflowEnd how) {
        putIn(JobStatus.BUILDING);

        progress.workflowEnded(id(), how);

        assertFailed(FailureCode.INTERNAL, "while the job was BUILDING");
    }

    @ParameterizedTest
    @EnumSource(WorkflowEnd.class)
    void cancelledJobStaysCancelledWhateverEndedItsWorkflow(WorkflowEnd how) {
        Job cancelled = putIn(JobStatus.CANCELLED);
        assertThat(progress.workflowEnded(id(), how)).isFalse();
        assertThat(stored()).isEqualTo(cancelled);
    }

    @Test
    void workflowOfADeletedJobEndingDropsWhatItSavedAfterTheDelete() {
        jobs.delete(id());
        artifacts.saveLog(id(), LogKind.BUILD, BUILD_LOG);

        progress.workflowEnded(id(), WorkflowEnd.ABORTED);

        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- one set of rules for both runtimes ----

    private Failure failureThePipelineRecords(ImageBuilder.BuildOutcome built, ContainerRunner.RunOutcome ran,
                                              JobWorkspace.ResultFile file) throws InterruptedException {
        InMemoryJobStore pipelineJobs = new InMemoryJobStore();
        Job job = Job.queued(JobId.random(), "alice", null, null, START);
        pipelineJobs.create(job, Optional.empty());
        InMemoryDockerfileStore dockerfiles = new InMemoryDockerfileStore();
        dockerfiles.save(job.id(), new Dockerfile("FROM debian:bookworm\n"));
        ScriptedImageBuilder builder = new ScriptedImageBuilder();
        builder.willReturn(built);
        ScriptedVulnerabilityScanner scanner = new ScriptedVulnerabilityScanner();
        scanner.willReturn(CLEAN);
        ScriptedContainerRunner runner = new ScriptedContainerRunner();
        runner.willReturn(ran);
        InMemoryJobWorkspace workspace = new InMemoryJobWorkspace();
        workspace.setResultFile(file);
        new JobPipeline(pipelineJobs, dockerfiles, new InMemoryJobArtifactStore(), builder, scanner, runner, workspace,
                new PipelineSettings(Duration.ofMinutes(10), new RunLimits(MEMORY_LIMIT, 1, 128, Duration.ofMinutes(15)),
                        VulnerabilityPolicy.DEFAULT), new SteppingClock(START)).execute(job.id());
        return pipelineJobs.find(job.id()).orElseThrow().failure();
    }

    static Stream<ContainerRunner.RunOutcome> everyRunOutcome() {
        return Stream.concat(runsThatFailed(), Stream.of(new ContainerRunner.Exited(0, RUN_LOG)));
    }

    @ParameterizedTest
    @MethodSource("everyRunOutcome")
    void aRunEndsTheSameWayInBothRuntimes(ContainerRunner.RunOutcome ran) throws Exception {
        JobWorkspace.ResultFile noResult = new JobWorkspace.Missing();
        putIn(JobStatus.RUNNING);

        progress.afterRun(id(), ran, () -> noResult);

        assertThat(stored().failure()).isEqualTo(failureThePipelineRecords(
                new ImageBuilder.Built("img", BUILD_LOG), ran, noResult));
    }

    static Stream<ImageBuilder.BuildOutcome> buildsThatFailed() {
        return Stream.of(new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG),
                new ImageBuilder.InvalidDockerfile("unknown instruction: FORM", BUILD_LOG),
                new ImageBuilder.BuildTimedOut(Duration.ofSeconds(125), BUILD_LOG));
    }

    @ParameterizedTest
    @MethodSource("buildsThatFailed")
    void aFailedBuildEndsTheSameWayInBothRuntimes(ImageBuilder.BuildOutcome built) throws Exception {
        progress.begin(id());

        progress.afterBuild(id(), BUILD_LOG, new NotBuilt(StepOutcomes.failureOf(built).orElseThrow()));

        assertThat(stored().failure()).isEqualTo(failureThePipelineRecords(
                built, new ContainerRunner.Exited(0, RUN_LOG), new JobWorkspace.Missing()));
    }
}
