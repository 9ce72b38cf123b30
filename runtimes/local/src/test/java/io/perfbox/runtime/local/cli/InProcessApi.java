package io.perfbox.runtime.local.cli;

import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.runtime.local.http.HttpLimits;
import io.perfbox.runtime.local.http.LocalApiServer;
import io.perfbox.testing.fakes.InMemoryApiKeyStore;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * perfbox's own HTTP API (PerfboxApi on LocalApiServer, as {@code serve} runs it) over in-memory stores, with no
 * Docker engine: its jobs stay where the test puts them (nothing builds or runs them), so a CLI test can hold a job
 * QUEUED, end it as it likes and give it any id (to make prefixes collide).
 */
final class InProcessApi implements AutoCloseable {
    final InMemoryJobStore jobs = new InMemoryJobStore();
    final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    final ApiKeys keys;
    private final LocalApiServer server;

    private InProcessApi(boolean withKeys) throws IOException {
        PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(), artifacts, launcher,
                Clock.systemUTC()));
        keys = withKeys ? new ApiKeys(new InMemoryApiKeyStore(), Clock.systemUTC()) : null;
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(),
                Optional.ofNullable(keys), withKeys, List.of(), HttpLimits.DEFAULTS, api);
    }

    /** The loopback server: every request is the tenant {@code local}'s. */
    static InProcessApi start() throws IOException {
        return new InProcessApi(false);
    }

    /** A team server: every request needs a key, each key's tenant sees its own jobs. */
    static InProcessApi startWithKeys() throws IOException {
        return new InProcessApi(true);
    }

    Map<String, String> env() {
        return Map.of("PERFBOX_URL", server.baseUrl());
    }

    /** The environment of a CLI with a new key of {@code tenant}. */
    Map<String, String> env(String tenant) {
        return Map.of("PERFBOX_URL", server.baseUrl(), "PERFBOX_API_KEY", keys.create(tenant).key());
    }

    String url() {
        return server.baseUrl();
    }

    /** A job QUEUED since {@code created}, with this id. */
    Job add(String owner, String id, String name, Instant created) {
        return jobs.create(Job.queued(new JobId(id), owner, name, null, created), Optional.empty()).job();
    }

    Job add(String id, String name, Instant created) {
        return add(LocalApiServer.LOCAL_TENANT, id, name, created);
    }

    Job job(String id) {
        return jobs.find(new JobId(id)).orElseThrow();
    }

    /** The job moved on: {@code change} applied to it as it is now. */
    Job update(String id, UnaryOperator<Job> change) {
        Job now = job(id);
        Job next = change.apply(now);
        if (!jobs.update(next, EnumSet.of(now.status()))) {
            throw new IllegalStateException("job " + id + " changed meanwhile");
        }
        return next;
    }

    /** Built (1 s), scanned (2 s), running (1.5 s after): the stage times a real job has. */
    Job throughStages(String id) {
        Instant t = job(id).createdAt();
        update(id, j -> j.advancedTo(JobStatus.BUILDING, t.plusMillis(100)));
        update(id, j -> j.advancedTo(JobStatus.SCANNING, t.plusMillis(1100)));
        return update(id, j -> j.advancedTo(JobStatus.RUNNING, t.plusMillis(3100)));
    }

    Job succeed(String id, double perf, Map<String, Double> metrics) {
        throughStages(id);
        Instant t = job(id).createdAt();
        return update(id, j -> j.succeeded(perf, metrics, t.plusMillis(4600)));
    }

    Job fail(String id, FailureCode code, String message) {
        Instant t = job(id).createdAt();
        update(id, j -> j.advancedTo(JobStatus.BUILDING, t.plusMillis(100)));
        return update(id, j -> j.failed(Failure.of(code, message), t.plusMillis(2100)));
    }

    Job cancel(String id) {
        return update(id, j -> j.cancelled(Instant.now()));
    }

    /** Scanned with this report, stopped VULNERABLE or MISCONFIGURED when the server's policy blocks it. */
    Job scanned(String id, ScanReport report, VulnerabilityPolicy policy) {
        Instant t = job(id).createdAt();
        update(id, j -> j.advancedTo(JobStatus.BUILDING, t.plusMillis(100)));
        update(id, j -> j.advancedTo(JobStatus.SCANNING, t.plusMillis(1100)));
        // As the lifecycle's scan gate saves and judges it.
        artifacts.saveScanReport(new JobId(id), report.judgedBy(policy.gate()));
        var decision = policy.evaluate(report);
        update(id, j -> j.withVulnerabilities(VulnerabilityCounts.of(report.findings()), t.plusMillis(2000)));
        if (decision.passed()) {
            return update(id, j -> j.advancedTo(JobStatus.RUNNING, t.plusMillis(2100)));
        }
        Failure failure = StepOutcomes.failureOf(policy, decision).orElseThrow();
        return update(id, j -> j.failed(failure, t.plusMillis(2100)));
    }

    /** Output the job wrote (the run's log, as a step writes it). */
    void output(String id, String text) {
        try (JobArtifactStore.LogWriter w = artifacts.openLog(new JobId(id), JobArtifactStore.LogKind.RUN)) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            w.write(b, 0, b.length);
        }
    }

    static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    @Override
    public void close() {
        server.close();
    }
}
