package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.JobLifecycle.ScanFailed;
import io.perfbox.core.lifecycle.JobLifecycle.ScannerUnavailable;
import io.perfbox.core.lifecycle.JobLifecycle.Scanned;
import io.perfbox.core.lifecycle.JobLifecycle.WorkflowEnd;
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

class JobLifecycleTest {
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
    private final JobLifecycle lifecycle = lifecycleOn(jobs);
    private final Job queued = Job.queued(JobId.random(), "alice", "bench", null, START);

    JobLifecycleTest() {
        jobs.create(queued, Optional.empty());
    }

    private JobLifecycle lifecycleOn(InMemoryJobStore store) {
        return new JobLifecycle(store, artifacts, VulnerabilityPolicy.DEFAULT, MEMORY_LIMIT,
                JobResources.RELEASED_ELSEWHERE, new SteppingClock(START));
    }

    private static ImageBuilder.Built built() {
        return new ImageBuilder.Built("registry.example/perfbox:job", BUILD_LOG);
    }

    /** Begin, a built image, and its scan: what a job goes through up to its run. */
    private Next builtAndScanned(ScanReport report) {
        lifecycle.begin(id());
        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.PROCEED);
        return lifecycle.scanned(id(), new Scanned(report));
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
        assertThat(lifecycle.begin(id())).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.BUILDING);
        assertThat(stored().stages().buildStartedAt()).isAfter(START);
    }

    @Test
    void repeatedBeginProceedsAndChangesNothing() {
        lifecycle.begin(id());
        Job afterFirst = stored();
        assertThat(lifecycle.begin(id())).isEqualTo(Next.PROCEED);
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SCANNING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void beginStopsForAJobThatMovedOn(JobStatus status) {
        Job moved = putIn(status);
        assertThat(lifecycle.begin(id())).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(moved);
    }

    @Test
    void beginStopsForADeletedJob() {
        jobs.delete(id());
        assertThat(lifecycle.begin(id())).isEqualTo(Next.STOPPED);
        assertThat(jobs.find(id())).isEmpty();
    }

    // ---- built and scanned ----

    @Test
    void cleanImageMovesThroughScanningToRunningKeepingLogReportAndCounts() {
        lifecycle.begin(id());

        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.SCANNING);
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);

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
        assertThat(builtAndScanned(VULNERABLE)).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387", "openssh-server", "fixed in 9.2p1-2");
        assertThat(stored().stages().runStartedAt()).isNull();
        assertThat(stored().vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(stored().vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(artifacts.scanReport(id())).contains(VULNERABLE);
    }

    @Test
    void theConfiguredPolicyDecides() {
        JobLifecycle lenient = new JobLifecycle(jobs, artifacts, new VulnerabilityPolicy(Severity.CRITICAL, true),
                MEMORY_LIMIT, JobResources.RELEASED_ELSEWHERE, new SteppingClock(START));
        ScanReport criticalWithoutFix = new ScanReport("trivy", "0.58.1", List.of(
                new Finding("CVE-2024-9", "glibc", "2.36", null, Severity.CRITICAL, "t", "debian")));
        lenient.begin(id());
        lenient.built(id(), built());

        assertThat(lenient.scanned(id(), new Scanned(criticalWithoutFix))).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(lenient.passes(criticalWithoutFix)).isTrue();
        assertThat(lifecycle.passes(criticalWithoutFix)).isFalse();
    }

    @Test
    void passesAppliesThePolicyToAReport() {
        assertThat(lifecycle.passes(CLEAN)).isTrue();
        assertThat(lifecycle.passes(VULNERABLE)).isFalse();
    }

    @Test
    void unusableScanEndsScannerUnavailableWithTheReason() {
        lifecycle.begin(id());
        lifecycle.built(id(), built());

        assertThat(lifecycle.scanned(id(), new ScanFailed("trivy: DB download failed"))).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.SCANNER_UNAVAILABLE, "was not run", "trivy: DB download failed");
        assertThat(stored().stages().scanStartedAt()).isNotNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
    }

    @Test
    void missingScannerEndsScannerUnavailableWithTheReason() {
        lifecycle.begin(id());
        lifecycle.built(id(), built());

        assertThat(lifecycle.scanned(id(), new ScannerUnavailable("trivy: not found"))).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.SCANNER_UNAVAILABLE, "No vulnerability scanner", "trivy: not found");
    }

    @Test
    void failedBuildEndsWithItsFailureAndKeepsTheLog() {
        lifecycle.begin(id());

        assertThat(lifecycle.built(id(), new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG)))
                .isEqualTo(Next.ENDED);

        assertFailed(FailureCode.BUILD_FAILED, "did not build", "RUN make: exit code 2");
        assertThat(stored().stages().scanStartedAt()).isNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).isEmpty();
    }

    @Test
    void buildTimeoutOfUnknownLengthEndsBuildTimeoutWithTheDetail() {
        lifecycle.begin(id());

        lifecycle.built(id(), new ImageBuilder.BuildTimedOut(null, "docker build ran 900 s", BUILD_LOG));

        assertFailed(FailureCode.BUILD_TIMEOUT, "did not finish within its time limit: docker build ran 900 s");
    }

    @Test
    void imageTooLargeInWordsEndsImageTooLargeWithTheDetail() {
        lifecycle.begin(id());

        lifecycle.built(id(), ImageBuilder.ImageTooLarge.reported("the image is 12 GiB", BUILD_LOG));

        assertFailed(FailureCode.IMAGE_TOO_LARGE, "too large to scan or run: the image is 12 GiB");
    }

    @Test
    void builderErrorEndsInternal() {
        lifecycle.begin(id());

        lifecycle.built(id(), new ImageBuilder.BuilderError("the build step left no build-outcome.json", BUILD_LOG));

        assertFailed(FailureCode.INTERNAL, "internal error: the build step left no build-outcome.json");
    }

    @Test
    void repeatedStepsOfARunnableImageProceedAndChangeNothing() {
        builtAndScanned(CLEAN);
        Job afterFirst = stored();

        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.PROCEED);
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @Test
    void builtRepeatedAfterACrashInScanningCarriesOn() {
        putIn(JobStatus.SCANNING);

        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.PROCEED);
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void repeatedScanOfARejectedImageStaysStopped() {
        builtAndScanned(VULNERABLE);
        Job afterFirst = stored();

        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.STOPPED);
        assertThat(lifecycle.scanned(id(), new Scanned(VULNERABLE))).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(afterFirst);
    }

    @Test
    void jobCancelledDuringTheBuildStaysCancelledAndGetsNoLog() {
        Job cancelled = putIn(JobStatus.CANCELLED);

        assertThat(lifecycle.built(id(), built())).isEqualTo(Next.STOPPED);
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.STOPPED);

        assertThat(stored()).isEqualTo(cancelled);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    @Test
    void jobCancelledWhileTheBuildIsRecordedStaysCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, false);

        assertThat(lifecycleOn(racing).built(id(), built())).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void jobCancelledWhileTheScanIsRecordedStaysCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.SCANNING, false);

        assertThat(lifecycleOn(racing).scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void jobDeletedWhileTheBuildIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, true);

        assertThat(lifecycleOn(racing).built(id(), built())).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    @Test
    void jobDeletedWhileTheScanIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.SCANNING, true);

        assertThat(lifecycleOn(racing).scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    @Test
    void resourcesAreReleasedBeforeTheTerminalStatusIsWritten() {
        List<JobStatus> seenWhenReleased = new java.util.ArrayList<>();
        JobLifecycle releasing = new JobLifecycle(jobs, artifacts, VulnerabilityPolicy.DEFAULT, MEMORY_LIMIT,
                released -> seenWhenReleased.add(jobs.find(released).orElseThrow().status()), new SteppingClock(START));
        releasing.begin(id());

        releasing.built(id(), new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG));

        assertThat(seenWhenReleased).containsExactly(JobStatus.BUILDING);
        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
    }

    // ---- ran ----

    @Test
    void runThatExitedZeroWithAValidResultSucceedsWithThePerformance() {
        putIn(JobStatus.RUNNING);

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("{\"perf\":0.99}")))
                .isEqualTo(Next.ENDED);

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

        assertThat(lifecycle.ran(id(), ran, neverAsked())).isEqualTo(Next.ENDED);

        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure()).isEqualTo(StepOutcomes.failureOf(ran, MEMORY_LIMIT).orElseThrow());
        assertThat(artifacts.log(id(), LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void outOfMemoryNamesTheConfiguredLimit() {
        putIn(JobStatus.RUNNING);
        lifecycle.ran(id(), new ContainerRunner.OutOfMemory(137, RUN_LOG), neverAsked());
        assertFailed(FailureCode.OUT_OF_MEMORY, "2048 MiB");
    }

    @Test
    void timeoutSaysHowLongTheRunWasAllowed() {
        putIn(JobStatus.RUNNING);
        lifecycle.ran(id(), new ContainerRunner.TimedOut(Duration.ofMinutes(15), RUN_LOG), neverAsked());
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

        lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), () -> file);

        StepOutcomes.Rejected expected = (StepOutcomes.Rejected) StepOutcomes.collect(file);
        assertThat(stored().failure()).isEqualTo(expected.failure());
        assertThat(stored().failure().code()).isIn(FailureCode.NO_RESULT, FailureCode.INVALID_RESULT);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void runOfAJobThatIsNotRunningIsNotRecorded(JobStatus status) {
        Job moved = putIn(status);

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isEqualTo(Next.STOPPED);

        assertThat(stored()).isEqualTo(moved);
        assertThat(artifacts.log(id(), LogKind.RUN)).isEmpty();
    }

    @Test
    void resultThatCannotBeHadIsAnErrorNotAVerdict() {
        putIn(JobStatus.RUNNING);
        Supplier<JobWorkspace.ResultFile> unavailable = () -> {
            throw new IllegalArgumentException("the workflow passed no result");
        };

        assertThatThrownBy(() -> lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), unavailable))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void jobDeletedWhileTheRunIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, true);

        assertThat(lifecycleOn(racing).ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5")))
                .isEqualTo(Next.STOPPED);

        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- endings from outside the steps ----

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void failEndsAnActiveJob(JobStatus status) {
        putIn(status);
        Failure failure = StepOutcomes.internal("Lambda.Unknown: the after-build step crashed");

        assertThat(lifecycle.fail(id(), failure)).isEqualTo(Next.ENDED);

        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure()).isEqualTo(failure);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void failLeavesAnEndedJobAsItIs(JobStatus status) {
        Job ended = putIn(status);
        assertThat(lifecycle.fail(id(), StepOutcomes.internal("late"))).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(ended);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void interruptedEndsAnActiveJobInterruptedNamingWhereItStopped(JobStatus status) {
        putIn(status);

        assertThat(lifecycle.interrupted(id())).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.INTERRUPTED, "perfbox stopped while the job was " + status);
    }

    @Test
    void abortedWorkflowEndsAnActiveJobInterruptedNamingWhereItStopped() {
        putIn(JobStatus.RUNNING);

        assertThat(lifecycle.workflowEnded(id(), WorkflowEnd.ABORTED)).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.INTERRUPTED, "stopped while the job was RUNNING");
    }

    @ParameterizedTest
    @EnumSource(value = WorkflowEnd.class, names = {"TIMED_OUT", "FAILED"})
    void workflowThatTimedOutOrFailedEndsAnActiveJobInternal(WorkflowEnd how) {
        putIn(JobStatus.BUILDING);

        lifecycle.workflowEnded(id(), how);

        assertFailed(FailureCode.INTERNAL, "while the job was BUILDING");
    }

    @ParameterizedTest
    @EnumSource(WorkflowEnd.class)
    void cancelledJobStaysCancelledWhateverEndedItsWorkflow(WorkflowEnd how) {
        Job cancelled = putIn(JobStatus.CANCELLED);
        assertThat(lifecycle.workflowEnded(id(), how)).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(cancelled);
    }

    @Test
    void workflowOfADeletedJobEndingDropsWhatItSavedAfterTheDelete() {
        jobs.delete(id());
        artifacts.saveLog(id(), LogKind.BUILD, BUILD_LOG);

        lifecycle.workflowEnded(id(), WorkflowEnd.ABORTED);

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
        JobResources resources = new HostJobResources(runner, builder, workspace);
        JobLifecycle pipelineLifecycle = new JobLifecycle(pipelineJobs, new InMemoryJobArtifactStore(),
                VulnerabilityPolicy.DEFAULT, MEMORY_LIMIT, resources, new SteppingClock(START));
        new JobPipeline(pipelineLifecycle, dockerfiles, builder, scanner, runner, workspace, resources,
                new PipelineSettings(Duration.ofMinutes(10), new RunLimits(MEMORY_LIMIT, 1, 128, Duration.ofMinutes(15)),
                        VulnerabilityPolicy.DEFAULT)).execute(job.id());
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

        lifecycle.ran(id(), ran, () -> noResult);

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
        lifecycle.begin(id());

        lifecycle.built(id(), built);

        assertThat(stored().failure()).isEqualTo(failureThePipelineRecords(
                built, new ContainerRunner.Exited(0, RUN_LOG), new JobWorkspace.Missing()));
    }
}
