package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.VulnerabilityScanner;
import io.perfbox.testing.fakes.Gate;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.InMemoryJobWorkspace;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.RecordingJobResources;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import io.perfbox.testing.fakes.ScriptedContainerRunner;
import io.perfbox.testing.fakes.ScriptedImageBuilder;
import io.perfbox.testing.fakes.ScriptedStep;
import io.perfbox.testing.fakes.ScriptedVulnerabilityScanner;
import io.perfbox.testing.fakes.SteppingClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class JobPipelineTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final RunLimits RUN_LIMITS = new RunLimits(64L << 20, 1.5, 128, Duration.ofMinutes(5));
    private static final Dockerfile DOCKERFILE = new Dockerfile("FROM debian:bookworm\nCMD [\"/bench\"]\n");
    private static final CapturedLog BUILD_LOG = new CapturedLog("#1 building", false);
    private static final CapturedLog RUN_LOG = new CapturedLog("training epoch 3", true);

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryDockerfileStore dockerfiles = new InMemoryDockerfileStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final ScriptedImageBuilder builder = new ScriptedImageBuilder();
    private final ScriptedVulnerabilityScanner scanner = new ScriptedVulnerabilityScanner();
    private final ScriptedContainerRunner runner = new ScriptedContainerRunner();
    private final InMemoryJobWorkspace workspace = new InMemoryJobWorkspace();
    private final RecordingJobResources resources = new RecordingJobResources(jobs,
            new HostJobResources(runner, builder, workspace));
    private final JobPipeline pipeline = pipelineOn(jobs, resources);

    private final Job queued = Job.queued(JobId.random(), "alice", "bench", null, START);

    JobPipelineTest() {
        jobs.create(queued, Optional.empty());
        dockerfiles.save(queued.id(), DOCKERFILE);
        builder.willReturn(new ImageBuilder.Built("perfbox/job-image:1", BUILD_LOG));
        runner.willReturn(new ContainerRunner.Exited(0, RUN_LOG));
        workspace.setPerfJson("{\"perf\":0.99}");
    }

    private JobPipeline pipelineOn(JobStore store, JobResources jobResources) {
        return pipelineOn(store, jobResources, VulnerabilityPolicy.DEFAULT);
    }

    private JobPipeline pipelineOn(JobStore store, JobResources jobResources, VulnerabilityPolicy policy) {
        JobLifecycle lifecycle = new JobLifecycle(store, artifacts, policy, RUN_LIMITS.memoryBytes(),
                jobResources, new SteppingClock(START));
        return new JobPipeline(lifecycle, dockerfiles, builder, scanner, runner, workspace, jobResources,
                new PipelineSettings(BUILD_TIMEOUT, RUN_LIMITS, policy), artifacts);
    }

    private static final ScanReport RUNS_AS_ROOT = new ScanReport("trivy", "0.58.1", List.of()).withMisconfigurations(
            List.of(new Misconfiguration("DS002", "Image user should not be 'root'",
                    Severity.HIGH, "Specify at least 1 USER command in Dockerfile with non-root user as argument",
                    null, null)));

    @Test
    void theScannerChecksTheDockerfileTheImageWasBuiltFromAndMisconfigurationsAreWarningsByDefault() throws Exception {
        scanner.willReturn(RUNS_AS_ROOT);

        Job job = executed();

        assertThat(scanner.scannedDockerfiles()).containsExactly(DOCKERFILE);
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(runner.runs()).hasSize(1);
        assertThat(artifacts.scanReport(queued.id()).orElseThrow().misconfigurations())
                .isEqualTo(RUNS_AS_ROOT.misconfigurations());
    }

    @Test
    void aMisconfigurationAtTheThresholdEndsTheJobMisconfiguredAndItNeverRuns() throws Exception {
        scanner.willReturn(RUNS_AS_ROOT);
        VulnerabilityPolicy strict = VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(Severity.HIGH);

        pipelineOn(jobs, resources, strict).execute(queued.id());

        Job job = stored();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(FailureCode.MISCONFIGURED);
        assertThat(job.failure().message()).contains("DS002 (HIGH) Image user should not be 'root'");
        assertThat(job.stages().runStartedAt()).isNull();
        assertThat(workspace.prepared()).isEmpty();
        assertThat(runner.runs()).isEmpty();
        assertThat(artifacts.scanReport(queued.id()).orElseThrow().gate())
                .isEqualTo(new ScanReport.Gate(Severity.HIGH, false, Severity.HIGH));
    }

    private Job executed() throws InterruptedException {
        pipeline.execute(queued.id());
        return stored();
    }

    private Job stored() {
        return jobs.find(queued.id()).orElseThrow();
    }

    @Test
    void aJobThatRanCarriesTheReceiptOfEveryStep() throws InterruptedException {
        String digest = "sha256:" + "12".repeat(32);
        String base = "sha256:" + "34".repeat(32);
        jobs.update(stored().withReceipt(RunReceipt.submitted(DOCKERFILE, "9.9")),
                EnumSet.of(JobStatus.QUEUED));
        builder.willReturn(new ImageBuilder.Built("perfbox/job-image:1", BUILD_LOG, digest,
                List.of(new RunReceipt.BaseImage("debian:bookworm", base))));
        scanner.willReturn(new ScanReport("trivy", "0.58.1", List.of()).withDatabase("2024-12-01T00:00:00Z", null));

        Job job = executed();

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        var receipt = job.receipt();
        assertThat(receipt.perfboxVersion()).isEqualTo("9.9");
        assertThat(receipt.dockerfileSha256()).isEqualTo(RunReceipt.sha256(DOCKERFILE));
        assertThat(receipt.imageDigest()).isEqualTo(digest);
        assertThat(receipt.baseImages()).extracting(RunReceipt.BaseImage::digest).containsExactly(base);
        assertThat(receipt.scanner()).isEqualTo(new RunReceipt.Scanner("trivy", "0.58.1",
                "2024-12-01T00:00:00Z", null));
        // the runner's default conditions: the limits it was given
        assertThat(receipt.limits()).isEqualTo(RUN_LIMITS.receipt());
        assertThat(receipt.limits().timeoutSeconds()).isEqualTo(300L);
    }

    @Test
    void aJobThatFailedToBuildKeepsTheReceiptOfItsSubmission() throws InterruptedException {
        var submitted = RunReceipt.submitted(DOCKERFILE, "9.9");
        jobs.update(stored().withReceipt(submitted), EnumSet.of(JobStatus.QUEUED));
        builder.willReturn(new ImageBuilder.BuildFailed("no", BUILD_LOG));

        Job job = executed();

        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.receipt()).isEqualTo(submitted);
    }

    /** The pipeline running on its own thread, so the test can act while a step is held at a gate. */
    private record Background(Thread thread, FutureTask<Void> task) {
        void awaitEnd() throws Exception {
            task.get(10, TimeUnit.SECONDS);
        }
    }

    private Background executeInBackground() {
        FutureTask<Void> task = new FutureTask<>(() -> {
            pipeline.execute(queued.id());
            return null;
        });
        Thread thread = new Thread(task, "pipeline-under-test");
        thread.setDaemon(true);
        thread.start();
        return new Background(thread, task);
    }

    private Job assertFailed(FailureCode code, String... messageParts) throws InterruptedException {
        Job job = executed();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(code);
        assertThat(job.failure().message()).contains(messageParts);
        assertThat(job.performance()).isNull();
        assertThat(job.stages().finishedAt()).isNotNull();
        assertCleanedUp();
        return job;
    }

    /** Which of the job's container, image and workspace have not been removed yet. */
    private List<String> notYetCleanedUp() {
        List<String> left = new ArrayList<>();
        if (runner.removed().isEmpty()) {
            left.add("container");
        }
        if (builder.removed().isEmpty()) {
            left.add("image");
        }
        if (workspace.discarded().isEmpty()) {
            left.add("workspace");
        }
        return left;
    }

    /** Container, image and workspace removed, by exactly one release of the job's resources. */
    private void assertCleanedUp() {
        assertThat(resources.released()).containsExactly(queued.id());
        assertThat(runner.removed()).containsExactly(queued.id());
        assertThat(builder.removed()).containsExactly(queued.id());
        assertThat(workspace.discarded()).containsExactly(queued.id());
    }

    @Test
    void successfulJobRecordsPerformanceOrderedStageTimesAndVulnerabilityCounts() throws Exception {
        scanner.willReturn(new ScanReport("trivy", "0.58.0", List.of(
                new Finding("CVE-1", "zlib", "1.2", "1.3", Severity.MEDIUM, "t", "debian"),
                new Finding("CVE-2", "curl", "8.0", null, Severity.LOW, "t", "debian"))));

        Job job = executed();

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.99);
        assertThat(job.failure()).isNull();
        StageTimes s = job.stages();
        assertThat(List.of(s.queuedAt(), s.buildStartedAt(), s.scanStartedAt(), s.runStartedAt(), s.finishedAt()))
                .doesNotContainNull().isSortedAccordingTo(Instant::compareTo).doesNotHaveDuplicates();
        assertThat(job.updatedAt()).isEqualTo(s.finishedAt());
        assertThat(job.vulnerabilities().get(Severity.MEDIUM)).isEqualTo(1);
        assertThat(job.vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(job.vulnerabilities().total()).isEqualTo(2);
        assertCleanedUp();
    }

    @Test
    void eachStepGetsWhatThePreviousOneProducedAndTheBuildItsOwnersCache() throws Exception {
        executed();
        assertThat(builder.builds()).containsExactly(
                new ScriptedImageBuilder.BuildCall(queued.id(), queued.owner(), DOCKERFILE, BUILD_TIMEOUT));
        assertThat(scanner.scannedImages()).containsExactly("perfbox/job-image:1");
        assertThat(runner.runs()).containsExactly(
                new ScriptedContainerRunner.RunCall(queued.id(), "perfbox/job-image:1", RUN_LIMITS));
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"SUCCEEDED", "FAILED"})
    void containerImageAndWorkspaceAreGoneBeforeTheEndIsRecorded(JobStatus end) throws Exception {
        if (end == JobStatus.FAILED) {
            runner.willReturn(new ContainerRunner.Exited(1, RUN_LOG));
        }
        List<String> leftWhenEnded = new ArrayList<>();
        JobStore watching = new InMemoryJobStore() {
            @Override
            public synchronized boolean update(Job updated, Set<JobStatus> expected) {
                if (updated.status().isTerminal()) {
                    leftWhenEnded.addAll(notYetCleanedUp());
                }
                return super.update(updated, expected);
            }
        };
        watching.create(queued, Optional.empty());

        RecordingJobResources releasing = new RecordingJobResources(watching, new HostJobResources(runner, builder, workspace));

        pipelineOn(watching, releasing).execute(queued.id());

        assertThat(watching.find(queued.id()).orElseThrow().status()).isEqualTo(end);
        assertThat(leftWhenEnded).isEmpty();
        assertThat(releasing.releases()).containsExactly(
                new RecordingJobResources.Release(queued.id(), Optional.of(JobStatus.RUNNING), false));
        assertThat(runner.removed()).containsExactly(queued.id());
        assertThat(builder.removed()).containsExactly(queued.id());
        assertThat(workspace.discarded()).containsExactly(queued.id());
    }

    @Test
    void logsAndScanReportAreSaved() throws Exception {
        ScanReport report = new ScanReport("trivy", "0.58.0", List.of());
        scanner.willReturn(report);
        executed();
        assertThat(artifacts.log(queued.id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(artifacts.log(queued.id(), LogKind.RUN)).contains(RUN_LOG);
        assertThat(artifacts.scanReport(queued.id())).contains(report.judgedBy(VulnerabilityPolicy.DEFAULT.gate()));
    }

    @Test
    void workspaceIsPreparedBeforeTheContainerRunsAndDiscardedAfter() throws Exception {
        Gate running = runner.holdNextCall();
        Background background = executeInBackground();
        running.awaitReached();

        assertThat(stored().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(workspace.prepared()).containsExactly(queued.id());
        assertThat(workspace.discarded()).isEmpty();

        running.release();
        background.awaitEnd();
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertCleanedUp();
    }

    @Test
    void failedBuildEndsBuildFailedWithTheBuildersReasonAndItsLog() throws Exception {
        builder.willReturn(new ImageBuilder.BuildFailed("RUN make: exit code 2", BUILD_LOG));
        assertFailed(FailureCode.BUILD_FAILED, "did not build", "RUN make: exit code 2");
        assertThat(artifacts.log(queued.id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(scanner.scannedImages()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void dockerfileTheBuilderRejectsEndsInvalidDockerfile() throws Exception {
        builder.willReturn(new ImageBuilder.InvalidDockerfile("unknown instruction: FORM", BUILD_LOG));
        assertFailed(FailureCode.INVALID_DOCKERFILE, "unknown instruction: FORM");
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void buildTimeoutEndsBuildTimeoutSayingHowLong() throws Exception {
        builder.willReturn(new ImageBuilder.BuildTimedOut(Duration.ofSeconds(125), BUILD_LOG));
        assertFailed(FailureCode.BUILD_TIMEOUT, "did not finish within 2 minutes 5 seconds");
        assertThat(scanner.scannedImages()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void imageOverTheSizeLimitEndsImageTooLargeWithBothSizesAndIsNeverScanned() throws Exception {
        builder.willReturn(new ImageBuilder.ImageTooLarge(3L << 30, 2L << 30, BUILD_LOG));
        assertFailed(FailureCode.IMAGE_TOO_LARGE, "3072.0 MiB", "limit of 2048.0 MiB");
        assertThat(scanner.scannedImages()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void anImageTooLargeRecordCannotClaimASizeWithinItsLimit() {
        assertThatThrownBy(() -> new ImageBuilder.ImageTooLarge(5, 5, BUILD_LOG)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<RuntimeException> scannerFailures() {
        return Stream.of(new VulnerabilityScanner.ScannerUnavailableException("trivy: not found"),
                new VulnerabilityScanner.ScanFailedException("trivy: DB download failed"));
    }

    @ParameterizedTest
    @MethodSource("scannerFailures")
    void imageThatCouldNotBeScannedNeverRuns(RuntimeException failure) throws Exception {
        scanner.willThrow(failure);
        assertFailed(FailureCode.SCANNER_UNAVAILABLE, "was not run", failure.getMessage());
        assertThat(workspace.prepared()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void vulnerableImageNeverRunsAndItsCountsAndReportAreKept() throws Exception {
        ScanReport report = new ScanReport("trivy", "0.58.0", List.of(
                new Finding("CVE-2024-6387", "openssh-server", "9.2", "9.2p1-2", Severity.CRITICAL, "regreSSHion", "debian"),
                new Finding("CVE-3", "zlib", "1.2", null, Severity.LOW, "t", "debian")));
        scanner.willReturn(report);

        Job job = assertFailed(FailureCode.VULNERABLE, "CVE-2024-6387", "openssh-server", "fixed in 9.2p1-2");

        assertThat(job.vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(job.vulnerabilities().get(Severity.LOW)).isEqualTo(1);
        assertThat(job.stages().runStartedAt()).isNull();
        assertThat(artifacts.scanReport(queued.id())).contains(report.judgedBy(VulnerabilityPolicy.DEFAULT.gate()));
        assertThat(workspace.prepared()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    @Test
    void nonZeroExitEndsRunFailedWithTheExitCode() throws Exception {
        runner.willReturn(new ContainerRunner.Exited(3, RUN_LOG));
        assertFailed(FailureCode.RUN_FAILED, "exited with code 3");
        assertThat(artifacts.log(queued.id(), LogKind.RUN)).contains(RUN_LOG);
    }

    @Test
    void containerThatCannotStartEndsRunFailedWithTheReason() throws Exception {
        runner.willReturn(new ContainerRunner.FailedToStart("exec: \"/bench\": no such file", RUN_LOG));
        assertFailed(FailureCode.RUN_FAILED, "could not start", "/bench\": no such file");
    }

    @Test
    void containerStillRunningAtTheTimeoutEndsRunTimeout() throws Exception {
        runner.willReturn(new ContainerRunner.TimedOut(Duration.ofSeconds(45), RUN_LOG));
        assertFailed(FailureCode.RUN_TIMEOUT, "still running after 45 seconds");
    }

    @Test
    void containerKilledForMemoryEndsOutOfMemoryNamingTheLimit() throws Exception {
        runner.willReturn(new ContainerRunner.OutOfMemory(137, RUN_LOG));
        assertFailed(FailureCode.OUT_OF_MEMORY, "out of memory", "64 MiB");
    }

    @Test
    void missingPerfJsonEndsNoResult() throws Exception {
        workspace.setResultFile(new JobWorkspace.Missing());
        assertFailed(FailureCode.NO_RESULT, "/data/perf.json");
    }

    @Test
    void malformedPerfJsonEndsInvalidResultWithTheParsersReason() throws Exception {
        workspace.setPerfJson("{\"perf\":\"0.9\"}");
        assertFailed(FailureCode.INVALID_RESULT, "\"perf\" must be a number, not string");
    }

    @Test
    void linkPlantedAtPerfJsonEndsInvalidResultAndIsNotFollowed() throws Exception {
        workspace.setResultFile(new JobWorkspace.NotRegularFile("symbolic link"));
        assertFailed(FailureCode.INVALID_RESULT, "symbolic link", "not followed");
    }

    @Test
    void oversizedPerfJsonEndsInvalidResultNamingTheLimit() throws Exception {
        workspace.setPerfJson(new byte[PerformanceResult.MAX_BYTES + 1]);
        assertFailed(FailureCode.INVALID_RESULT, "larger than " + PerformanceResult.MAX_BYTES + " bytes");
    }

    /** The adapter doing the work while the job is in {@code step}. */
    private ScriptedStep<?> adapterFor(JobStatus step) {
        return switch (step) {
            case BUILDING -> builder;
            case SCANNING -> scanner;
            case RUNNING -> runner;
            default -> throw new IllegalArgumentException(step + " has no adapter at work");
        };
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void unexpectedAdapterErrorEndsInternalAndStillCleansUp(JobStatus step) throws Exception {
        adapterFor(step).willThrow(new IllegalStateException("disk full"));
        assertFailed(FailureCode.INTERNAL, "internal error", "IllegalStateException", "disk full");
    }

    @Test
    void jobWhoseDockerfileIsMissingEndsInternalWithoutBuilding() throws Exception {
        dockerfiles.delete(queued.id());
        assertFailed(FailureCode.INTERNAL, "Dockerfile is missing");
        assertThat(builder.builds()).isEmpty();
    }

    @Test
    void jobCancelledWhileRunningStaysCancelledDespiteALateSuccess() throws Exception {
        Gate running = runner.holdNextCall();
        Background background = executeInBackground();
        running.awaitReached();
        Job cancelled = stored().cancelled(START.plusSeconds(60));
        assertThat(jobs.update(cancelled, EnumSet.of(JobStatus.RUNNING))).isTrue();

        running.release();
        background.awaitEnd();

        assertThat(stored()).isEqualTo(cancelled);
        assertCleanedUp();
    }

    @Test
    void jobDeletedWhileRunningIsNotRecreated() throws Exception {
        Gate running = runner.holdNextCall();
        Background background = executeInBackground();
        running.awaitReached();
        jobs.delete(queued.id());

        running.release();
        background.awaitEnd();

        assertThat(jobs.find(queued.id())).isEmpty();
        assertCleanedUp();
    }

    @Test
    void jobDeletedWhileRunningLeavesNoArtifactsBehind() throws Exception {
        Gate running = runner.holdNextCall();
        Background background = executeInBackground();
        running.awaitReached();
        jobs.delete(queued.id());
        artifacts.deleteAll(queued.id());

        running.release();
        background.awaitEnd();

        assertThat(artifacts.holdsAnythingFor(queued.id())).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void interruptionDuringAStepPropagatesLeavesTheStatusAndStillCleansUp(JobStatus step) throws Exception {
        Gate held = adapterFor(step).holdNextCall();
        Background background = executeInBackground();
        held.awaitReached();

        background.thread().interrupt();

        assertThatThrownBy(background::awaitEnd).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InterruptedException.class);
        assertThat(stored().status()).isEqualTo(step);
        assertCleanedUp();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = "QUEUED", mode = EnumSource.Mode.EXCLUDE)
    void jobThatIsNotQueuedIsLeftAlone(JobStatus status) throws Exception {
        Job notQueued = JobFixtures.inStatus(queued, status, START);
        jobs.update(notQueued, EnumSet.of(JobStatus.QUEUED));

        pipeline.execute(queued.id());

        assertThat(stored()).isEqualTo(notQueued);
        assertThat(builder.builds()).isEmpty();
        assertThat(resources.released()).isEmpty();
        assertThat(runner.removed()).isEmpty();
        assertThat(builder.removed()).isEmpty();
        assertThat(workspace.discarded()).isEmpty();
    }

    @Test
    void unknownJobIsIgnored() throws Exception {
        pipeline.execute(JobId.random());
        assertThat(builder.builds()).isEmpty();
        assertThat(resources.released()).isEmpty();
    }

    @Test
    void jobStartedTwiceIsBuiltOnce() throws Exception {
        pipeline.execute(queued.id());
        Job ended = stored();

        pipeline.execute(queued.id());

        assertThat(stored()).isEqualTo(ended);
        assertThat(builder.builds()).hasSize(1);
        assertThat(runner.runs()).hasSize(1);
        assertCleanedUp();
    }

    @Test
    void builderThatFailsItselfEndsInternalWithItsReasonAndTheImageIsNeverScanned() throws Exception {
        builder.willReturn(new ImageBuilder.BuilderError("buildkitd: connection refused", BUILD_LOG));
        Job job = assertFailed(FailureCode.INTERNAL, "perfbox hit an internal error: buildkitd: connection refused");
        assertThat(job.failure().message()).isEqualTo("perfbox hit an internal error: buildkitd: connection refused");
        assertThat(artifacts.log(queued.id(), LogKind.BUILD)).contains(BUILD_LOG);
        assertThat(scanner.scannedImages()).isEmpty();
        assertThat(runner.runs()).isEmpty();
    }

    // ---- the job's resources: released once, before the end is visible ----

    static Stream<LifecycleScenarios.Scenario> everyOutcome() {
        return LifecycleScenarios.everyOutcome();
    }

    private void script(LifecycleScenarios.Scenario s) {
        builder.willReturn(s.built());
        if (s.scanError() != null) {
            scanner.willThrow(s.scanError());
        } else {
            scanner.willReturn(s.scanReport());
        }
        runner.willReturn(s.ran());
        workspace.setResultFile(s.result());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOutcome")
    void resourcesAreReleasedExactlyOnceWhileTheJobIsStillActive(LifecycleScenarios.Scenario s) throws Exception {
        script(s);

        Job job = executed();

        assertThat(job.status()).isEqualTo(s.endStatus());
        assertThat(job.failure()).isEqualTo(s.failure());
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(queued.id(), Optional.of(s.endedIn()), false));
        assertCleanedUp();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void unexpectedAdapterErrorReleasesOnceBeforeTheFailureIsRecorded(JobStatus step) throws Exception {
        adapterFor(step).willThrow(new IllegalStateException("disk full"));

        Job job = executed();

        assertThat(job.failure().message()).isEqualTo("perfbox hit an internal error: IllegalStateException: disk full");
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(queued.id(), Optional.of(step), false));
    }

    @Test
    void releaseThatFailsStillLetsTheJobEnd() throws Exception {
        resources.willThrow(new IllegalStateException("docker daemon gone"));

        Job job = executed();

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(resources.released()).containsExactly(queued.id());
    }

    // ---- output stored as it is produced ----

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "RUNNING"})
    void outputAStepPrintsIsReadableWhileTheStepRunsAndIsTheLogKeptAfterIt(JobStatus step) throws Exception {
        LogKind kind = step == JobStatus.BUILDING ? LogKind.BUILD : LogKind.RUN;
        if (step == JobStatus.BUILDING) {
            builder.willPrint("Step 1/2 : FROM debian\n");
        } else {
            runner.willPrint("Step 1/2 : FROM debian\n");
        }
        Gate held = adapterFor(step).holdNextCall();
        Background background = executeInBackground();
        held.awaitReached();

        var live = artifacts.readLog(queued.id(), kind, 0, 1024).orElseThrow();
        assertThat(new String(live.bytes(), StandardCharsets.UTF_8)).isEqualTo("Step 1/2 : FROM debian\n");
        assertThat(live.complete()).isFalse();

        held.release();
        background.awaitEnd();
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        // What was printed is the log; the outcome's copy of it is not saved over it.
        assertThat(artifacts.log(queued.id(), kind)).contains(new CapturedLog("Step 1/2 : FROM debian\n", false));
        assertThat(artifacts.readLog(queued.id(), kind, 0, 1024).orElseThrow().atEnd()).isTrue();
    }

    @Test
    void aStoreThatCannotWriteTheLiveLogLeavesTheOutcomesLogAndTheJobSucceeds() throws Exception {
        builder.willPrint("output nobody can store\n");
        var failing = new InMemoryJobArtifactStore() {
            @Override
            public LogWriter openLog(JobId id, LogKind kind) {
                throw new IllegalStateException("disk full");
            }
        };
        JobLifecycle lifecycle = new JobLifecycle(jobs, failing, VulnerabilityPolicy.DEFAULT, RUN_LIMITS.memoryBytes(),
                resources, new SteppingClock(START));
        new JobPipeline(lifecycle, dockerfiles, builder, scanner, runner, workspace, resources,
                new PipelineSettings(BUILD_TIMEOUT, RUN_LIMITS, VulnerabilityPolicy.DEFAULT), failing).execute(queued.id());

        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(failing.log(queued.id(), LogKind.BUILD)).contains(BUILD_LOG);
    }

    // ---- cancel, delete and interruption while a step is under way ----

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void jobCancelledDuringAStepStaysCancelledAndThatStepSavesNothing(JobStatus step) throws Exception {
        Gate held = adapterFor(step).holdNextCall();
        Background background = executeInBackground();
        held.awaitReached();
        Job cancelled = stored().cancelled(START.plusSeconds(60));
        assertThat(jobs.update(cancelled, EnumSet.of(step))).isTrue();

        held.release();
        background.awaitEnd();

        assertThat(stored()).isEqualTo(cancelled);
        switch (step) {
            case BUILDING -> assertThat(artifacts.holdsAnythingFor(queued.id())).isFalse();
            case SCANNING -> assertThat(artifacts.scanReport(queued.id())).isEmpty();
            default -> assertThat(artifacts.log(queued.id(), LogKind.RUN)).isEmpty();
        }
        assertThat(runner.runs()).hasSize(step == JobStatus.RUNNING ? 1 : 0);
        assertCleanedUp();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING", "RUNNING"})
    void jobCancelledAndDeletedDuringAStepIsNotRecreatedAndLeavesNothingBehind(JobStatus step) throws Exception {
        RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
        JobService service = new JobService(
                jobs, dockerfiles, artifacts, launcher, new SteppingClock(START));
        Gate held = adapterFor(step).holdNextCall();
        Background background = executeInBackground();
        held.awaitReached();

        Job ended = service.cancel("alice", queued.id());
        service.delete("alice", queued.id());

        held.release();
        background.awaitEnd();
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(launcher.stopped()).containsExactly(queued.id());
        assertThat(jobs.find(queued.id())).isEmpty();
        assertThat(artifacts.holdsAnythingFor(queued.id())).isFalse();
        assertCleanedUp();
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"BUILDING", "SCANNING"})
    void interruptionStopsTheCurrentStepSoNoLaterStepRuns(JobStatus step) throws Exception {
        Gate held = adapterFor(step).holdNextCall();
        Background background = executeInBackground();
        held.awaitReached();

        background.thread().interrupt();

        assertThatThrownBy(background::awaitEnd).cause().isInstanceOf(InterruptedException.class);
        if (step == JobStatus.BUILDING) {
            assertThat(scanner.scannedImages()).isEmpty();
            assertThat(artifacts.holdsAnythingFor(queued.id())).isFalse();
        }
        assertThat(workspace.prepared()).isEmpty();
        assertThat(runner.runs()).isEmpty();
        assertThat(resources.releases()).containsExactly(
                new RecordingJobResources.Release(queued.id(), Optional.of(step), false));
    }
}
