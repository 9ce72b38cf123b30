package io.perfbox.runtime.local.e2e;

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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The console's server as {@code serve} runs it (PerfboxApi on LocalApiServer: the console's files, the API, the
 * same-origin checks) over in-memory stores, with no Docker engine: nothing builds or runs a job, the test moves
 * each one through its stages as it likes. It can be stopped and started again on the same port.
 */
final class ConsoleFakeBackend implements AutoCloseable {
    final InMemoryJobStore jobs = new InMemoryJobStore();
    final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(), artifacts,
            new RecordingPipelineLauncher(), Clock.systemUTC()));
    private LocalApiServer server;
    private final int port;
    private final String url;
    /** A team server's keys (every request needs one), or null: every request is the local tenant's. */
    final ApiKeys keys;

    ConsoleFakeBackend() throws IOException {
        this(false);
    }

    ConsoleFakeBackend(boolean requireKeys) throws IOException {
        keys = requireKeys ? new ApiKeys(new InMemoryApiKeyStore(),
                Clock.systemUTC()) : null;
        server = start(0);
        url = server.baseUrl();
        port = URI.create(url).getPort();
    }

    private LocalApiServer start(int on) throws IOException {
        return LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), on),
                Optional.empty(), Optional.ofNullable(keys), keys != null, List.of(),
                HttpLimits.DEFAULTS, api);
    }

    String url() {
        return url;
    }

    Http http() {
        return new Http(url);
    }

    /** No answer from now on: the port is closed. */
    void stop() {
        server.close();
    }

    /** Serving again, on the same port, with the same jobs. */
    void restart() throws IOException {
        server = start(port);
    }

    Job job(String id) {
        return jobs.find(new JobId(id)).orElseThrow();
    }

    Job update(String id, UnaryOperator<Job> change) {
        Job now = job(id);
        Job next = change.apply(now);
        if (!jobs.update(next, EnumSet.of(now.status()))) {
            throw new IllegalStateException("job " + id + " changed meanwhile");
        }
        return next;
    }

    Job advance(String id, JobStatus status) {
        return update(id, j -> j.advancedTo(status, Instant.now()));
    }

    /** At a time this many seconds after the job was submitted (the stage times a real job has). */
    private Instant after(String id, double seconds) {
        return job(id).createdAt().plusMillis((long) (seconds * 1000));
    }

    /** Built (18 s), scanned (3 s), run (75 s): SUCCEEDED with this performance and these metrics. */
    Job succeed(String id, double perf, Map<String, Double> metrics) {
        update(id, j -> j.advancedTo(JobStatus.BUILDING, after(id, 0.2)));
        update(id, j -> j.advancedTo(JobStatus.SCANNING, after(id, 18.4)));
        artifacts.saveScanReport(new JobId(id), new ScanReport("trivy", "0.58.1", List.of()));
        update(id, j -> j.advancedTo(JobStatus.RUNNING, after(id, 21.0)));
        return update(id, j -> j.succeeded(perf, metrics, after(id, 96.3)));
    }

    Job fail(String id, FailureCode code, String message) {
        advance(id, JobStatus.BUILDING);
        return update(id, j -> j.failed(Failure.of(code, message), Instant.now()));
    }

    /** Scanned with these findings and stopped VULNERABLE by the default policy (HIGH and above block). */
    Job vulnerable(String id, ScanReport scanned) {
        advance(id, JobStatus.BUILDING);
        advance(id, JobStatus.SCANNING);
        ScanReport report = new ScanReport(scanned.scanner(), scanned.scannerVersion(), scanned.findings(), null, null,
                List.of(), new ScanReport.Gate(VulnerabilityPolicy.DEFAULT.threshold(), false, null));
        artifacts.saveScanReport(new JobId(id), report);
        var decision = VulnerabilityPolicy.DEFAULT.evaluate(report);
        update(id, j -> j.withVulnerabilities(VulnerabilityCounts.of(report.findings()), Instant.now()));
        return update(id, j -> j.failed(Failure.of(FailureCode.VULNERABLE,
                decision.summary(VulnerabilityPolicy.DEFAULT.threshold())), Instant.now()));
    }

    /** Output a step wrote. */
    void output(String id, JobArtifactStore.LogKind kind, String text) {
        try (JobArtifactStore.LogWriter w = artifacts.openLog(new JobId(id), kind)) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            w.write(b, 0, b.length);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
