package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.perfbox.core.lifecycle.JobLifecycle.Next;
import io.perfbox.core.lifecycle.JobLifecycle.ScanFailed;
import io.perfbox.core.lifecycle.JobLifecycle.ScanResult;
import io.perfbox.core.lifecycle.JobLifecycle.Scanned;
import io.perfbox.core.lifecycle.JobLifecycle.ScannerUnavailable;
import io.perfbox.core.lifecycle.JobLifecycle.WorkflowEnd;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.RecordingJobResources;
import io.perfbox.testing.fakes.SteppingClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one lifecycle, its steps called directly as the AWS workflow's handlers call them (and as JobPipeline does,
 * in order, on one thread): transitions, the scan gate, failures, races with cancel and delete, repeats, releases.
 */
class JobLifecycleTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final long MEMORY_LIMIT = 2048L << 20;
    private static final CapturedLog BUILD_LOG = new CapturedLog("#1 [1/2] FROM debian:bookworm", false);
    private static final CapturedLog RUN_LOG = new CapturedLog("epoch 1 done", true);
    private static final ImageBuilder.Built BUILT = new ImageBuilder.Built("perfbox/job-image:1", BUILD_LOG);
    private static final ScanReport CLEAN = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2023-1", "zlib", "1.2", "1.3", Severity.MEDIUM, "t", "debian")));
    private static final ScanReport VULNERABLE = new ScanReport("trivy", "0.58.1", List.of(
            new Finding("CVE-2024-6387", "openssh-server", "9.2", "9.2p1-2", Severity.CRITICAL, "regreSSHion", "debian"),
            new Finding("CVE-2023-2", "curl", "8.0", null, Severity.LOW, "t", "debian")));
    private static final Set<JobStatus> ACTIVE_BUT_QUEUED = EnumSet.of(JobStatus.BUILDING, JobStatus.SCANNING,
            JobStatus.RUNNING);

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final RecordingJobResources resources = new RecordingJobResources(jobs);
    private final JobLifecycle lifecycle = lifecycleOn(jobs, resources);
    private final Job queued = Job.queued(JobId.random(), "alice", "bench", null, START);

    JobLifecycleTest() {
        jobs.create(queued, Optional.empty());
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private JobLifecycle lifecycleOn(InMemoryJobStore store, JobResources jobResources) {
        return new JobLifecycle(store, artifacts, VulnerabilityPolicy.DEFAULT, MEMORY_LIMIT, jobResources,
                new SteppingClock(START));
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

    /** begin and built(Built): the job SCANNING, as the workflow leaves it before the scan state reports. */
    private void builtAndScanning() {
        assertThat(lifecycle.begin(id())).isEqualTo(Next.PROCEED);
        assertThat(lifecycle.built(id(), BUILT)).isEqualTo(Next.PROCEED);
    }

    private void scannedAndRunning() {
        builtAndScanning();
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);
    }

    private static Supplier<JobWorkspace.ResultFile> perfJson(String text) {
        return () -> new JobWorkspace.Content(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Supplier<JobWorkspace.ResultFile> neverAsked() {
        return () -> {
            throw new AssertionError("the result file was read although the run did not exit 0");
        };
    }

    private Job assertFailed(FailureCode code, String message) {
        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure()).isEqualTo(Failure.of(code, message));
        assertThat(job.performance()).isNull();
        assertThat(job.stages().finishedAt()).isNotNull();
        return job;
    }

    /** The answer of a step repeated, asserting the repeat changed nothing stored. */
    private Next repeated(Supplier<Next> step) {
        Job before = stored();
        Optional<CapturedLog> buildLog = artifacts.log(id(), LogKind.BUILD);
        Optional<CapturedLog> runLog = artifacts.log(id(), LogKind.RUN);
        Optional<ScanReport> report = artifacts.scanReport(id());
        List<RecordingJobResources.Release> releases = resources.releases();
        Next answer = step.get();
        assertThat(stored()).as("the job after the repeat").isEqualTo(before);
        assertThat(artifacts.log(id(), LogKind.BUILD)).isEqualTo(buildLog);
        assertThat(artifacts.log(id(), LogKind.RUN)).isEqualTo(runLog);
        assertThat(artifacts.scanReport(id())).isEqualTo(report);
        assertThat(resources.releases()).as("releases after the repeat").isEqualTo(releases);
        return answer;
    }

    /**
     * A job store in which, just before the step's first status write lands, the job is deleted (with everything
     * stored for it, as a cancel and then a delete leave it) or cancelled.
     */
    private InMemoryJobStore storeWhereTheJobIs(JobStatus setUp, boolean deleted) {
        InMemoryJobStore racing = new InMemoryJobStore() {
            private boolean raced;

            @Override
            public synchronized boolean update(Job updated, Set<JobStatus> expected) {
                if (!raced && updated.id().equals(id()) && !expected.containsAll(EnumSet.allOf(JobStatus.class))) {
                    raced = true;
                    Job current = find(id()).orElseThrow();
                    super.update(current.cancelled(START.plusSeconds(30)), EnumSet.of(current.status()));
                    if (deleted) {
                        delete(id());
                        artifacts.deleteAll(id());
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
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void repeatedBeginProceedsAndChangesNothing() {
        lifecycle.begin(id());
        assertThat(repeated(() -> lifecycle.begin(id()))).isEqualTo(Next.PROCEED);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SCANNING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void beginStopsTheWorkflowForAJobThatMovedOn(JobStatus status) {
        Job moved = putIn(status);
        assertThat(lifecycle.begin(id())).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(moved);
    }

    @Test
    void beginStopsTheWorkflowForADeletedJob() {
        jobs.delete(id());
        assertThat(lifecycle.begin(id())).isEqualTo(Next.STOPPED);
        assertThat(jobs.find(id())).isEmpty();
    }

    @Test
    void startForADriverThatNeverRepeatsTakesOnlyAQueuedJob() {
        assertThat(lifecycle.start(id())).isEqualTo(Next.PROCEED);
        Job building = stored();
        assertThat(building.status()).isEqualTo(JobStatus.BUILDING);

        assertThat(lifecycle.start(id())).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(building);
    }

    // ---- built ----

    @Test
    void builtImageMovesTheJobToScanningKeepingTheLog() {
        lifecycle.begin(id());

        assertThat(lifecycle.built(id(), BUILT)).isEqualTo(Next.PROCEED);

        assertThat(stored().status()).isEqualTo(JobStatus.SCANNING);
        assertThat(stored().stages().scanStartedAt()).isAfter(stored().stages().buildStartedAt());
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(resources.releases()).isEmpty();
    }

    static Stream<Arguments> buildsThatFailed() {
        return Stream.of(
                Arguments.of(new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG),
                        Failure.of(FailureCode.BUILD_FAILED, "The image did not build: RUN make: exit code 2")),
                Arguments.of(new ImageBuilder.InvalidDockerfile("unknown instruction: FORM", BUILD_LOG),
                        Failure.of(FailureCode.INVALID_DOCKERFILE, "The Dockerfile is not valid: unknown instruction: FORM")),
                Arguments.of(new ImageBuilder.BuildTimedOut(Duration.ofSeconds(125), BUILD_LOG),
                        Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within 2 minutes 5 seconds")),
                Arguments.of(new ImageBuilder.BuildTimedOut(Duration.ofSeconds(1), BUILD_LOG),
                        Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within 1 second")),
                Arguments.of(new ImageBuilder.BuildTimedOut(null, "CodeBuild TIMED_OUT after 900 s", BUILD_LOG),
                        Failure.of(FailureCode.BUILD_TIMEOUT,
                                "The build did not finish within its time limit: CodeBuild TIMED_OUT after 900 s")),
                Arguments.of(new ImageBuilder.BuildTimedOut(null, null, BUILD_LOG),
                        Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within its time limit")),
                Arguments.of(new ImageBuilder.BuildTimedOut(null, "  ", BUILD_LOG),
                        Failure.of(FailureCode.BUILD_TIMEOUT, "The build did not finish within its time limit")),
                Arguments.of(new ImageBuilder.ImageTooLarge(3L << 30, 2L << 30, BUILD_LOG),
                        Failure.of(FailureCode.IMAGE_TOO_LARGE,
                                "The image is too large to scan or run: the image is 3072.0 MiB, over the limit of 2048.0 MiB")),
                Arguments.of(ImageBuilder.ImageTooLarge.reported("image is 11.2 GiB, limit 10 GiB", BUILD_LOG),
                        Failure.of(FailureCode.IMAGE_TOO_LARGE,
                                "The image is too large to scan or run: image is 11.2 GiB, limit 10 GiB")),
                Arguments.of(ImageBuilder.ImageTooLarge.reported(null, BUILD_LOG),
                        Failure.of(FailureCode.IMAGE_TOO_LARGE, "The image is too large to scan or run: over the size limit")),
                Arguments.of(new ImageBuilder.BuilderError("CodeBuild: AccessDeniedException", BUILD_LOG),
                        Failure.of(FailureCode.INTERNAL, "perfbox hit an internal error: CodeBuild: AccessDeniedException")));
    }

    @ParameterizedTest
    @MethodSource("buildsThatFailed")
    void imageThatDidNotBuildEndsTheJobWithItsFailureKeepingTheLog(ImageBuilder.BuildOutcome built, Failure expected) {
        lifecycle.begin(id());

        assertThat(lifecycle.built(id(), built)).isEqualTo(Next.ENDED);

        assertFailed(expected.code(), expected.message());
        assertThat(stored().stages().scanStartedAt()).isNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).isEmpty();
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.BUILDING), false));
    }

    @ParameterizedTest
    @MethodSource("buildsThatFailed")
    void repeatedBuiltOfAnImageThatDidNotBuildStopsAndChangesNothing(ImageBuilder.BuildOutcome built, Failure ignored) {
        lifecycle.begin(id());
        lifecycle.built(id(), built);

        assertThat(repeated(() -> lifecycle.built(id(), built))).isEqualTo(Next.STOPPED);
    }

    @Test
    void anImageTooLargeRecordCannotClaimASizeWithinItsLimit() {
        assertThatThrownBy(() -> new ImageBuilder.ImageTooLarge(5, 5, BUILD_LOG))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SCANNING", "RUNNING"})
    void builtRepeatedAfterTheJobMovedOnProceedsAndChangesNothing(JobStatus movedOn) {
        if (movedOn == JobStatus.SCANNING) {
            builtAndScanning();
        } else {
            scannedAndRunning();
        }
        assertThat(stored().status()).isEqualTo(movedOn);

        assertThat(repeated(() -> lifecycle.built(id(), BUILT))).isEqualTo(Next.PROCEED);
    }

    @Test
    void builtRepeatedAfterACrashInScanningCarriesOnToRunning() {
        putIn(JobStatus.SCANNING);

        assertThat(lifecycle.built(id(), BUILT)).isEqualTo(Next.PROCEED);
        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "SUCCEEDED", "FAILED", "CANCELLED"})
    void builtForAJobNotBuildingIsNotRecorded(JobStatus status) {
        Job moved = putIn(status);

        assertThat(lifecycle.built(id(), BUILT)).isEqualTo(Next.STOPPED);

        assertThat(stored()).isEqualTo(moved);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void builtForADeletedJobIsNotRecorded() {
        jobs.delete(id());
        assertThat(lifecycle.built(id(), BUILT)).isEqualTo(Next.STOPPED);
        assertThat(jobs.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    static Stream<ImageBuilder.BuildOutcome> anyBuild() {
        return Stream.of(BUILT, new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG));
    }

    @ParameterizedTest
    @MethodSource("anyBuild")
    void jobCancelledWhileTheBuildIsRecordedStaysCancelled(ImageBuilder.BuildOutcome built) {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, false);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).built(id(), built)).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @ParameterizedTest
    @MethodSource("anyBuild")
    void jobDeletedWhileTheBuildIsRecordedLeavesNoArtifactsBehind(ImageBuilder.BuildOutcome built) {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.BUILDING, true);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).built(id(), built)).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- scanned: the scan gate ----

    @Test
    void cleanImageMovesToRunningKeepingReportCountsAndOrderedStageTimes() {
        builtAndScanning();

        assertThat(lifecycle.scanned(id(), new Scanned(CLEAN))).isEqualTo(Next.PROCEED);

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        StageTimes s = job.stages();
        assertThat(List.of(s.queuedAt(), s.buildStartedAt(), s.scanStartedAt(), s.runStartedAt()))
                .doesNotContainNull().isSortedAccordingTo(Instant::compareTo).doesNotHaveDuplicates();
        assertThat(job.vulnerabilities().get(Severity.MEDIUM)).isEqualTo(1);
        assertThat(job.vulnerabilities().total()).isEqualTo(1);
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).contains(CLEAN.judgedBy(VulnerabilityPolicy.DEFAULT.gate()));
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void vulnerableImageEndsVulnerableNamingTheFindingAndNeverReachesRunning() {
        builtAndScanning();

        assertThat(lifecycle.scanned(id(), new Scanned(VULNERABLE))).isEqualTo(Next.ENDED);

        Job job = assertFailed(FailureCode.VULNERABLE,
                "1 finding at or above HIGH: CVE-2024-6387 (CRITICAL) in openssh-server 9.2, fixed in 9.2p1-2");
        assertThat(job.stages().runStartedAt()).isNull();
        assertThat(job.vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(job.vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(artifacts.scanReport(id())).contains(VULNERABLE.judgedBy(VulnerabilityPolicy.DEFAULT.gate()));
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.SCANNING), false));
    }

    @Test
    void theConfiguredPolicyDecides() {
        JobLifecycle lenient = new JobLifecycle(jobs, artifacts, new VulnerabilityPolicy(Severity.CRITICAL, true),
                MEMORY_LIMIT, resources, new SteppingClock(START));
        ScanReport criticalWithoutFix = new ScanReport("trivy", "0.58.1", List.of(
                new Finding("CVE-2024-9", "glibc", "2.36", null, Severity.CRITICAL, "t", "debian")));
        lenient.begin(id());
        lenient.built(id(), BUILT);

        assertThat(lenient.passes(criticalWithoutFix)).isTrue();
        assertThat(lifecycle.passes(criticalWithoutFix)).isFalse();
        assertThat(lenient.scanned(id(), new Scanned(criticalWithoutFix))).isEqualTo(Next.PROCEED);
        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
    }

    static Stream<Arguments> unusableScans() {
        return Stream.of(
                Arguments.of(new ScanFailed("trivy: DB download failed"),
                        "The vulnerability scan failed, so the image was not run: trivy: DB download failed"),
                Arguments.of(new ScannerUnavailable("trivy: not found"),
                        "No vulnerability scanner is available, so the image was not run: trivy: not found"));
    }

    @ParameterizedTest
    @MethodSource("unusableScans")
    void imageThatCouldNotBeScannedEndsScannerUnavailableAndNeverRuns(ScanResult result, String message) {
        builtAndScanning();

        assertThat(lifecycle.scanned(id(), result)).isEqualTo(Next.ENDED);

        Job job = assertFailed(FailureCode.SCANNER_UNAVAILABLE, message);
        assertThat(job.stages().scanStartedAt()).isNotNull();
        assertThat(job.stages().runStartedAt()).isNull();
        assertThat(artifacts.log(id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.scanReport(id())).isEmpty();
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.SCANNING), false));
    }

    @Test
    void repeatedScannedOfARejectedImageStopsAndChangesNothing() {
        builtAndScanning();
        lifecycle.scanned(id(), new Scanned(VULNERABLE));

        assertThat(repeated(() -> lifecycle.scanned(id(), new Scanned(VULNERABLE)))).isEqualTo(Next.STOPPED);
    }

    @Test
    void scannedRepeatedWhileRunningProceedsAndChangesNothing() {
        scannedAndRunning();

        assertThat(repeated(() -> lifecycle.scanned(id(), new Scanned(CLEAN)))).isEqualTo(Next.PROCEED);
        assertThat(repeated(() -> lifecycle.scanned(id(), new Scanned(VULNERABLE)))).isEqualTo(Next.PROCEED);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void scannedForAJobNotScanningIsNotRecorded(JobStatus status) {
        Job moved = putIn(status);

        assertThat(lifecycle.scanned(id(), new Scanned(VULNERABLE))).isEqualTo(Next.STOPPED);

        assertThat(stored()).isEqualTo(moved);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void jobCancelledWhileTheScanIsRecordedStaysCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.SCANNING, false);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).scanned(id(), new Scanned(CLEAN)))
                .isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(racing.find(id()).orElseThrow().vulnerabilities()).isNull();
    }

    static Stream<ScanReport> anyReport() {
        return Stream.of(CLEAN, VULNERABLE);
    }

    @ParameterizedTest
    @MethodSource("anyReport")
    void jobDeletedWhileTheScanIsRecordedLeavesNoArtifactsBehind(ScanReport report) {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.SCANNING, true);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).scanned(id(), new Scanned(report)))
                .isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- ran ----

    @Test
    void aResultWithMetricsSucceedsKeepingThemBesideThePerformance() {
        scannedAndRunning();

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG),
                perfJson("{\"perf\":0.91,\"metrics\":{\"accuracy\":0.91,\"loss\":0.23}}"))).isEqualTo(Next.ENDED);

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.91);
        assertThat(job.metrics()).containsExactly(Map.entry("accuracy", 0.91), Map.entry("loss", 0.23));
    }

    @Test
    void runThatExitedZeroWithAValidResultSucceedsWithThePerformance() {
        scannedAndRunning();

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("{\"perf\":0.99}")))
                .isEqualTo(Next.ENDED);

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.99);
        assertThat(job.failure()).isNull();
        assertThat(job.stages().finishedAt()).isAfter(job.stages().runStartedAt());
        assertThat(job.updatedAt()).isEqualTo(job.stages().finishedAt());
        assertThat(job.vulnerabilities().get(Severity.MEDIUM)).isEqualTo(1);
        assertThat(artifacts.log(id(), LogKind.RUN)).contains(RUN_LOG);
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.RUNNING), false));
    }

    @Test
    void runThatExitedZeroAfterAProcessWasKilledForMemorySucceedsWithAWarning() {
        scannedAndRunning();

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG, true), perfJson("{\"perf\":0.5}")))
                .isEqualTo(Next.ENDED);

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.5);
        assertThat(job.warnings()).containsExactly(StepOutcomes.outOfMemoryWarning(2048L * 1024 * 1024));
        assertThat(job.warnings().get(0)).contains("ran out of memory").contains("2048 MiB");
    }

    @Test
    void runThatExitedZeroAfterAProcessWasKilledForMemoryKeepsTheWarningWhenItsResultIsRejected() {
        scannedAndRunning();

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG, true), () -> new JobWorkspace.Missing()))
                .isEqualTo(Next.ENDED);

        Job job = stored();
        assertThat(job.failure().code()).isEqualTo(FailureCode.NO_RESULT);
        assertThat(job.warnings()).hasSize(1);
    }

    @Test
    void runWithoutAnOutOfMemoryKillHasNoWarnings() {
        scannedAndRunning();

        lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("{\"perf\":0.99}"));

        assertThat(stored().warnings()).isEmpty();
    }

    static Stream<Arguments> runsThatFailed() {
        return Stream.of(
                Arguments.of(new ContainerRunner.Exited(1, RUN_LOG),
                        Failure.of(FailureCode.RUN_FAILED, "The container exited with code 1")),
                Arguments.of(new ContainerRunner.OutOfMemory(137, RUN_LOG),
                        Failure.of(FailureCode.OUT_OF_MEMORY, "The container ran out of memory (limit 2048 MiB) and was killed")),
                Arguments.of(new ContainerRunner.TimedOut(Duration.ofMinutes(15), RUN_LOG),
                        Failure.of(FailureCode.RUN_TIMEOUT, "The container was still running after 15 minutes and was stopped")),
                Arguments.of(new ContainerRunner.TimedOut(Duration.ofSeconds(150), RUN_LOG),
                        Failure.of(FailureCode.RUN_TIMEOUT,
                                "The container was still running after 2 minutes 30 seconds and was stopped")),
                Arguments.of(new ContainerRunner.FailedToStart("CannotPullContainerError: image not found", RUN_LOG),
                        Failure.of(FailureCode.RUN_FAILED,
                                "The container could not start: CannotPullContainerError: image not found")));
    }

    @ParameterizedTest
    @MethodSource("runsThatFailed")
    void runThatFailedEndsFailedWithoutReadingTheResultButKeepsTheLog(ContainerRunner.RunOutcome ran, Failure expected) {
        putIn(JobStatus.RUNNING);

        assertThat(lifecycle.ran(id(), ran, neverAsked())).isEqualTo(Next.ENDED);

        assertFailed(expected.code(), expected.message());
        assertThat(artifacts.log(id(), LogKind.RUN)).contains(RUN_LOG);
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.RUNNING), false));
    }

    static Stream<Arguments> unusableResults() {
        return Stream.of(
                Arguments.of(new JobWorkspace.Missing(),
                        Failure.of(FailureCode.NO_RESULT, "The container exited 0 but wrote no /data/perf.json")),
                Arguments.of(new JobWorkspace.NotRegularFile("symbolic link"),
                        Failure.of(FailureCode.INVALID_RESULT,
                                "/data/perf.json is a symbolic link, not a regular file; it was not followed")),
                Arguments.of(new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES),
                        Failure.of(FailureCode.INVALID_RESULT,
                                "/data/perf.json is larger than " + PerformanceResult.MAX_BYTES + " bytes")),
                Arguments.of(new JobWorkspace.Content("{\"perf\":\"fast\"}".getBytes(StandardCharsets.UTF_8)),
                        Failure.of(FailureCode.INVALID_RESULT, "\"perf\" must be a number, not string")),
                Arguments.of(new JobWorkspace.Content("{\"perf\":1,\"metrics\":{\"loss\":[0.2]}}".getBytes(StandardCharsets.UTF_8)),
                        Failure.of(FailureCode.INVALID_RESULT, "metric \"loss\" must be a number, not array")));
    }

    @ParameterizedTest
    @MethodSource("unusableResults")
    void unusableResultEndsFailedAsTheResultRulesSay(JobWorkspace.ResultFile file, Failure expected) {
        putIn(JobStatus.RUNNING);

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), () -> file)).isEqualTo(Next.ENDED);

        assertFailed(expected.code(), expected.message());
        assertThat(stored().failure()).isEqualTo(((StepOutcomes.Rejected) StepOutcomes.collect(file)).failure());
    }

    @Test
    void repeatedRanOfAnEndedJobStopsAndChangesNothing() {
        putIn(JobStatus.RUNNING);
        lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"));

        assertThat(repeated(() -> lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.7"))))
                .isEqualTo(Next.STOPPED);
        assertThat(stored().performance()).isEqualTo(0.5);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "SUCCEEDED", "FAILED", "CANCELLED"})
    void runOfAJobThatIsNotRunningIsNotRecorded(JobStatus status) {
        Job moved = putIn(status);

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isEqualTo(Next.STOPPED);

        assertThat(stored()).isEqualTo(moved);
        assertThat(artifacts.log(id(), LogKind.RUN)).isEmpty();
        assertThat(resources.releases()).isEmpty();
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
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void jobCancelledWhileTheRunIsRecordedStaysCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, false);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE)
                .ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(racing.find(id()).orElseThrow().performance()).isNull();
    }

    @ParameterizedTest
    @MethodSource("runsThatFailed")
    void jobDeletedWhileTheRunIsRecordedLeavesNoArtifactsBehind(ContainerRunner.RunOutcome ran, Failure ignored) {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, true);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).ran(id(), ran, neverAsked()))
                .isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    @Test
    void jobDeletedWhileASuccessfulRunIsRecordedLeavesNoArtifactsBehind() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, true);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE)
                .ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"))).isEqualTo(Next.STOPPED);

        assertThat(racing.find(id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
    }

    // ---- resources ----

    @Test
    void resourcesAreReleasedBeforeTheTerminalStatusIsWrittenAndNotForAdvances() {
        InMemoryJobStore watched = new InMemoryJobStore();
        RecordingJobResources watching = new RecordingJobResources(watched);
        watched.create(queued, Optional.empty());
        JobLifecycle l = lifecycleOn(watched, watching);

        l.begin(id());
        l.built(id(), BUILT);
        l.scanned(id(), new Scanned(CLEAN));
        assertThat(watching.releases()).isEmpty();
        l.ran(id(), new ContainerRunner.Exited(0, RUN_LOG), perfJson("0.5"));

        assertThat(watching.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.RUNNING), false));
        assertThat(watched.find(id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aReleaseThatFailsDoesNotKeepTheJobFromEnding() {
        resources.willThrow(new IllegalStateException("could not remove the image"));
        putIn(JobStatus.RUNNING);

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(3, RUN_LOG), neverAsked())).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.RUN_FAILED, "The container exited with code 3");
    }

    @Test
    void releaseRunsUninterruptedAndTheInterruptIsKeptForTheCaller() {
        putIn(JobStatus.RUNNING);
        Thread.currentThread().interrupt();

        assertThat(lifecycle.ran(id(), new ContainerRunner.Exited(3, RUN_LOG), neverAsked())).isEqualTo(Next.ENDED);

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(JobStatus.RUNNING), false));
    }

    // ---- endings from outside the steps ----

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void failEndsAnActiveJobReleasingItsResourcesFirst(JobStatus status) {
        putIn(status);
        Failure failure = StepOutcomes.internal("Lambda.Unknown: the after-build step crashed");

        assertThat(lifecycle.fail(id(), failure)).isEqualTo(Next.ENDED);

        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure()).isEqualTo(
                Failure.of(FailureCode.INTERNAL, "perfbox hit an internal error: Lambda.Unknown: the after-build step crashed"));
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(status), false));
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void failLeavesAnEndedJobAsItIs(JobStatus status) {
        Job ended = putIn(status);
        assertThat(lifecycle.fail(id(), StepOutcomes.internal("late"))).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(ended);
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void internalFailureOfAnExceptionNamesItWithoutItsTrace() {
        putIn(JobStatus.BUILDING);
        lifecycle.fail(id(), StepOutcomes.internal(new IllegalStateException("disk full")));
        assertFailed(FailureCode.INTERNAL, "perfbox hit an internal error: IllegalStateException: disk full");
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void interruptedEndsAnActiveJobInterruptedNamingWhereItStopped(JobStatus status) {
        putIn(status);

        assertThat(lifecycle.interrupted(id())).isEqualTo(Next.ENDED);

        assertFailed(FailureCode.INTERRUPTED, "perfbox stopped while the job was " + status + "; submit it again");
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(id(), Optional.of(status), false));
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void interruptedLeavesAnEndedJobAsItIs(JobStatus status) {
        Job ended = putIn(status);
        assertThat(lifecycle.interrupted(id())).isEqualTo(Next.STOPPED);
        assertThat(stored()).isEqualTo(ended);
        assertThat(resources.releases()).isEmpty();
    }

    static Stream<Arguments> workflowEnds() {
        return Stream.of(
                Arguments.of(WorkflowEnd.ABORTED, (Function<JobStatus, Failure>) s -> Failure.of(FailureCode.INTERRUPTED,
                        "The job's workflow was stopped while the job was " + s + "; submit it again")),
                Arguments.of(WorkflowEnd.TIMED_OUT, (Function<JobStatus, Failure>) s -> Failure.of(FailureCode.INTERNAL,
                        "perfbox hit an internal error: the job's workflow timed out while the job was " + s)),
                Arguments.of(WorkflowEnd.FAILED, (Function<JobStatus, Failure>) s -> Failure.of(FailureCode.INTERNAL,
                        "perfbox hit an internal error: the job's workflow failed while the job was " + s)));
    }

    @ParameterizedTest
    @MethodSource("workflowEnds")
    void workflowThatEndedAbnormallyEndsAnActiveJobNamingHowAndWhere(WorkflowEnd how, Function<JobStatus, Failure> expected) {
        for (JobStatus status : ACTIVE_BUT_QUEUED) {
            putIn(status);

            assertThat(lifecycle.workflowEnded(id(), how)).isEqualTo(Next.ENDED);

            assertFailed(expected.apply(status).code(), expected.apply(status).message());
        }
    }

    @ParameterizedTest
    @EnumSource(WorkflowEnd.class)
    void workflowEndedRepeatedStopsAndChangesNothing(WorkflowEnd how) {
        putIn(JobStatus.RUNNING);
        lifecycle.workflowEnded(id(), how);

        assertThat(repeated(() -> lifecycle.workflowEnded(id(), how))).isEqualTo(Next.STOPPED);
    }

    @ParameterizedTest
    @EnumSource(WorkflowEnd.class)
    void endedJobStaysAsItIsWhateverEndedItsWorkflow(WorkflowEnd how) {
        for (JobStatus ended : JobStatus.TERMINAL) {
            Job job = putIn(ended);
            assertThat(lifecycle.workflowEnded(id(), how)).isEqualTo(Next.STOPPED);
            assertThat(stored()).isEqualTo(job);
        }
        assertThat(resources.releases()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(WorkflowEnd.class)
    void workflowOfADeletedJobEndingDropsWhatItSavedAfterTheDelete(WorkflowEnd how) {
        jobs.delete(id());
        artifacts.saveLog(id(), LogKind.BUILD, BUILD_LOG);

        assertThat(lifecycle.workflowEnded(id(), how)).isEqualTo(Next.STOPPED);

        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void workflowEndedWithoutOutcomeEndsAnActiveJobInternalNamingHowTheWorkflowStands() {
        for (JobStatus status : JobStatus.ACTIVE) {
            putIn(status);

            assertThat(lifecycle.endedWithoutOutcome(id(), "ended SUCCEEDED")).isEqualTo(Next.ENDED);

            assertFailed(FailureCode.INTERNAL, "perfbox hit an internal error: the job's workflow ended SUCCEEDED "
                    + "without recording an outcome while the job was " + status + "; submit it again");
        }
    }

    @Test
    void workflowEndedWithoutOutcomeLeavesAnEndedJobAsItIs() {
        for (JobStatus ended : JobStatus.TERMINAL) {
            Job job = putIn(ended);
            assertThat(lifecycle.endedWithoutOutcome(id(), "no longer exists")).isEqualTo(Next.STOPPED);
            assertThat(stored()).isEqualTo(job);
        }
        assertThat(resources.releases()).isEmpty();
    }

    @Test
    void failOrInterruptedOfADeletedJobDropsWhatWasSavedAfterTheDelete() {
        jobs.delete(id());
        artifacts.saveLog(id(), LogKind.RUN, RUN_LOG);
        assertThat(lifecycle.fail(id(), StepOutcomes.internal("late"))).isEqualTo(Next.STOPPED);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();

        artifacts.saveScanReport(id(), CLEAN);
        assertThat(lifecycle.interrupted(id())).isEqualTo(Next.STOPPED);
        assertThat(artifacts.holdsAnythingFor(id())).isFalse();
        assertThat(jobs.find(id())).isEmpty();
    }

    @Test
    void failThatLosesToAConcurrentStepRetriesOnTheNewStatusReleasingOnlyOnce() {
        InMemoryJobStore racing = new InMemoryJobStore() {
            private boolean raced;

            @Override
            public synchronized boolean update(Job updated, Set<JobStatus> expected) {
                if (!raced && updated.status() == JobStatus.FAILED) {
                    raced = true;
                    Job current = find(id()).orElseThrow();
                    super.update(current.advancedTo(JobStatus.SCANNING, START.plusSeconds(30)), EnumSet.of(JobStatus.BUILDING));
                }
                return super.update(updated, expected);
            }
        };
        racing.create(queued, Optional.empty());
        racing.update(JobFixtures.inStatus(queued, JobStatus.BUILDING, START), EnumSet.of(JobStatus.QUEUED));
        RecordingJobResources releasing = new RecordingJobResources(racing);

        assertThat(lifecycleOn(racing, releasing).fail(id(), StepOutcomes.internal("x"))).isEqualTo(Next.ENDED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(racing.find(id()).orElseThrow().stages().scanStartedAt()).isNotNull();
        assertThat(releasing.released()).containsExactly(id());
    }

    @Test
    void failThatLosesToACancelLeavesTheJobCancelled() {
        InMemoryJobStore racing = storeWhereTheJobIs(JobStatus.RUNNING, false);

        assertThat(lifecycleOn(racing, JobResources.RELEASED_ELSEWHERE).fail(id(), StepOutcomes.internal("x")))
                .isEqualTo(Next.STOPPED);

        assertThat(racing.find(id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }
}
