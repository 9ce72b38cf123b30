package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.fakes.InMemoryJobStore;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.core.port.VulnerabilityScanner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class JobPipelineTest {
    private static final CapturedLog LOG = new CapturedLog("output", false);

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final Map<JobId, Dockerfile> dockerfiles = new HashMap<>();
    private final Map<String, Object> saved = new HashMap<>();
    private final List<String> calls = new ArrayList<>();

    private ImageBuilder.BuildOutcome buildOutcome = new ImageBuilder.Built("image:1", LOG);
    private Callable<ScanReport> scan = () -> new ScanReport("trivy", "1", List.of());
    private Callable<ContainerRunner.RunOutcome> run = () -> new ContainerRunner.Exited(0, LOG);
    private JobWorkspace.ResultFile result = new JobWorkspace.Content("{\"perf\":0.99}".getBytes(StandardCharsets.UTF_8));
    private Runnable duringRun = () -> { };

    private JobPipeline pipeline() {
        DockerfileStore dfs = new DockerfileStore() {
            public void save(JobId id, Dockerfile d) { dockerfiles.put(id, d); }
            public Optional<Dockerfile> load(JobId id) { return Optional.ofNullable(dockerfiles.get(id)); }
            public void delete(JobId id) { dockerfiles.remove(id); }
        };
        JobArtifactStore artifacts = new JobArtifactStore() {
            public void saveLog(JobId id, LogKind kind, CapturedLog log) { saved.put(kind.name(), log); }
            public Optional<CapturedLog> log(JobId id, LogKind kind) { return Optional.ofNullable((CapturedLog) saved.get(kind.name())); }
            public void saveScanReport(JobId id, ScanReport report) { saved.put("scan", report); }
            public Optional<ScanReport> scanReport(JobId id) { return Optional.ofNullable((ScanReport) saved.get("scan")); }
            public void deleteAll(JobId id) { saved.clear(); }
        };
        ImageBuilder builder = new ImageBuilder() {
            public BuildOutcome build(JobId id, Dockerfile d, Duration t) { calls.add("build"); return buildOutcome; }
            public void remove(JobId id) { calls.add("removeImage"); }
        };
        VulnerabilityScanner scanner = imageRef -> {
            calls.add("scan");
            try {
                return scan.call();
            } catch (RuntimeException | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        ContainerRunner runner = new ContainerRunner() {
            public RunOutcome run(JobId id, String image, RunLimits limits) throws InterruptedException {
                calls.add("run");
                duringRun.run();
                try {
                    return run.call();
                } catch (InterruptedException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            public void remove(JobId id) { calls.add("removeContainer"); }
        };
        JobWorkspace workspace = new JobWorkspace() {
            public void prepare(JobId id) { calls.add("prepare"); }
            public ResultFile readResult(JobId id, int max) { return result; }
            public void discard(JobId id) { calls.add("discard"); }
        };
        var settings = new PipelineSettings(Duration.ofMinutes(1),
                new ContainerRunner.RunLimits(64L << 20, 1, 64, Duration.ofMinutes(1)), VulnerabilityPolicy.DEFAULT);
        return new JobPipeline(jobs, dfs, artifacts, builder, scanner, runner, workspace, settings,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private Job execute() throws InterruptedException {
        Job job = Job.queued(JobId.random(), "me", null, null, Instant.parse("2026-01-01T00:00:00Z"));
        jobs.create(job, Optional.empty());
        dockerfiles.put(job.id(), new Dockerfile("FROM debian:bookworm\n"));
        pipeline().execute(job.id());
        return jobs.find(job.id()).orElse(null);
    }

    private void assertFailed(Job job, FailureCode code, String messagePart) {
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.failure().code()).isEqualTo(code);
        assertThat(job.failure().message()).contains(messagePart);
        assertThat(calls).contains("removeContainer", "removeImage", "discard");
    }

    @Test
    void successfulJobRecordsPerformanceStagesAndLogs() throws Exception {
        Job job = execute();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.performance()).isEqualTo(0.99);
        assertThat(job.stages().runStartedAt()).isNotNull();
        assertThat(job.stages().finishedAt()).isNotNull();
        assertThat(job.vulnerabilities().total()).isZero();
        assertThat(saved).containsKeys("BUILD", "RUN", "scan");
        assertThat(calls).containsSubsequence("build", "scan", "prepare", "run", "removeContainer", "removeImage", "discard");
    }

    @Test
    void buildFailureAndTimeout() throws Exception {
        buildOutcome = new ImageBuilder.BuildFailed("step 2 returned 3", LOG);
        assertFailed(execute(), FailureCode.BUILD_FAILED, "step 2 returned 3");
        buildOutcome = new ImageBuilder.InvalidDockerfile("unknown instruction: FOO", LOG);
        assertFailed(execute(), FailureCode.INVALID_DOCKERFILE, "FOO");
        buildOutcome = new ImageBuilder.BuildTimedOut(Duration.ofSeconds(90), LOG);
        assertFailed(execute(), FailureCode.BUILD_TIMEOUT, "90 seconds");
        assertThat(calls).doesNotContain("run");
    }

    @Test
    void vulnerableImageNeverRuns() throws Exception {
        scan = () -> new ScanReport("trivy", "1", List.of(new Finding("CVE-1", "openssl", "1", "2", Severity.CRITICAL, "t", "x")));
        Job job = execute();
        assertFailed(job, FailureCode.VULNERABLE, "CVE-1");
        assertThat(job.vulnerabilities().get(Severity.CRITICAL)).isEqualTo(1);
        assertThat(calls).doesNotContain("run");
    }

    @Test
    void missingOrFailingScannerMeansNothingRuns() throws Exception {
        scan = () -> { throw new VulnerabilityScanner.ScannerUnavailableException("no trivy"); };
        assertFailed(execute(), FailureCode.SCANNER_UNAVAILABLE, "no trivy");
        scan = () -> { throw new VulnerabilityScanner.ScanFailedException("DB missing"); };
        assertFailed(execute(), FailureCode.SCANNER_UNAVAILABLE, "DB missing");
        assertThat(calls).doesNotContain("run");
    }

    @Test
    void runOutcomesMapToTheirCodes() throws Exception {
        run = () -> new ContainerRunner.Exited(7, LOG);
        assertFailed(execute(), FailureCode.RUN_FAILED, "7");
        run = () -> new ContainerRunner.TimedOut(Duration.ofSeconds(30), LOG);
        assertFailed(execute(), FailureCode.RUN_TIMEOUT, "30 seconds");
        run = () -> new ContainerRunner.OutOfMemory(137, LOG);
        assertFailed(execute(), FailureCode.OUT_OF_MEMORY, "64 MiB");
        run = () -> new ContainerRunner.FailedToStart("exec: no such file", LOG);
        assertFailed(execute(), FailureCode.RUN_FAILED, "no such file");
    }

    @Test
    void resultProblemsMapToNoResultOrInvalidResult() throws Exception {
        result = new JobWorkspace.Missing();
        assertFailed(execute(), FailureCode.NO_RESULT, "perf.json");
        result = new JobWorkspace.NotRegularFile("symbolic link");
        assertFailed(execute(), FailureCode.INVALID_RESULT, "symbolic link");
        result = new JobWorkspace.TooLarge(65536);
        assertFailed(execute(), FailureCode.INVALID_RESULT, "65536");
        result = new JobWorkspace.Content("{\"perf\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertFailed(execute(), FailureCode.INVALID_RESULT, "number");
    }

    @Test
    void unexpectedAdapterErrorEndsInternal() throws Exception {
        run = () -> { throw new IllegalStateException("disk full"); };
        assertFailed(execute(), FailureCode.INTERNAL, "disk full");
    }

    @Test
    void jobCancelledDuringTheRunStaysCancelledDespiteALateSuccess() throws Exception {
        duringRun = () -> jobs.findUnfinished().forEach(j ->
                jobs.update(j.cancelled(Instant.now()), EnumSet.of(j.status())));
        Job job = execute();
        assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(job.performance()).isNull();
        assertThat(calls).contains("removeContainer", "removeImage", "discard");
    }

    @Test
    void jobDeletedDuringTheRunIsNotRecreated() throws Exception {
        duringRun = () -> jobs.findUnfinished().forEach(j -> jobs.delete(j.id()));
        assertThat(execute()).isNull();
    }

    @Test
    void interruptionPropagatesAndStillCleansUp() {
        run = () -> { throw new InterruptedException(); };
        org.assertj.core.api.Assertions.assertThatThrownBy(this::execute).isInstanceOf(InterruptedException.class);
        assertThat(calls).contains("removeContainer", "removeImage", "discard");
        Thread.interrupted();
    }

    @Test
    void jobThatIsNotQueuedIsLeftAlone() throws Exception {
        Job job = Job.queued(JobId.random(), "me", null, null, Instant.now()).cancelled(Instant.now());
        jobs.create(job, Optional.empty());
        pipeline().execute(job.id());
        assertThat(calls).isEmpty();
    }
}
