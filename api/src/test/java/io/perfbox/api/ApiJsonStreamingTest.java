package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityCounts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming writer of jobs and problems writes the very bytes the API's mapper writes for them. */
class ApiJsonStreamingTest {
    private static final Instant T0 = Instant.parse("2026-12-07T13:00:00Z");

    private static List<Job> jobs() {
        Job queued = Job.queued(JobId.random(), "tenant1", null, null, T0);
        Job named = Job.queued(JobId.random(), "tenant1", "name \"quoted\" \n and ünïcödé 😀", "a\u0000b\u202e", T0.plusNanos(1));
        Job building = named.advancedTo(JobStatus.BUILDING, T0.plusMillis(1_234));
        Job scanned = building.advancedTo(JobStatus.SCANNING, T0.plusSeconds(2))
                .withVulnerabilities(VulnerabilityCounts.of(List.of(new Finding("CVE-1", "p", "1", null, Severity.HIGH, "t", "x"))),
                        T0.plusSeconds(3));
        Job running = scanned.advancedTo(JobStatus.RUNNING, T0.plusSeconds(4)).withWarning("a warning", T0.plusSeconds(5));
        Job succeeded = running.succeeded(0.99, Map.of("loss", 1e-300, "tokens_per_s", 12345.678), T0.plusSeconds(6))
                .withReceipt(RunReceipt.submitted(Dockerfile.fromUtf8("FROM scratch\n".getBytes(StandardCharsets.UTF_8)), "0.1.0"))
                .withReceipt(RunReceipt.ran(new RunReceipt.Limits(1L << 30, 1.5, 256, 600L, 1L << 30, 10L << 30),
                        "0-1", "runc", "Some CPU @ 2.0GHz", "6.1.0"));
        Job failed = running.failed(Failure.of(FailureCode.BUILD_FAILED, "exit code 3 \"boom\""), T0.plusSeconds(7));
        // Three runs: one under way after two, then all three (a zero median with values apart: no spread).
        Job thrice = Job.queued(JobId.random(), "tenant1", null, null, 3, T0).advancedTo(JobStatus.RUNNING, T0.plusSeconds(1))
                .withRun(new Runs.Run(1, -1.5, Map.of("loss", 0.25), Duration.ofMillis(1500)), T0.plusSeconds(2))
                .withRun(new Runs.Run(2, 0.0, Map.of("loss", 0.5), null), T0.plusSeconds(3));
        Job thriceDone = thrice.withRun(new Runs.Run(3, 2.0, Map.of("loss", 1e-300),
                Duration.ofNanos(1)), T0.plusSeconds(4)).succeededOverRuns(T0.plusSeconds(5));
        return List.of(queued, named, building, scanned, running, succeeded, failed, failed.cancelled(T0.plusSeconds(8)),
                thrice, thriceDone);
    }

    @Test
    void aJobIsWrittenAsTheMapperWritesIt() throws Exception {
        for (Job job : jobs()) {
            ApiJson.JobView view = ApiJson.JobView.of(job);
            // Bytes against bytes: what the API sent before (ApiJson.writeBytes) and what it sends now.
            assertThat(new String(ResponseJson.bytes(view), StandardCharsets.UTF_8))
                    .isEqualTo(new String(ApiJson.MAPPER.writeValueAsBytes(view), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aProblemIsWrittenAsTheMapperWritesIt() throws Exception {
        List<Problem> problems = new ArrayList<>();
        problems.add(Problem.of(404, "job-not-found", "No job \"x\"\n", "/jobs/x"));
        problems.add(Problem.of(400, "invalid-json", null, null));
        problems.add(new Problem(null, null, 500, null, null));
        for (Problem p : problems) {
            assertThat(new String(ResponseJson.bytes(p), StandardCharsets.UTF_8))
                    .isEqualTo(new String(ApiJson.MAPPER.writeValueAsBytes(p), StandardCharsets.UTF_8));
        }
    }

    @Test
    void otherBodiesGoToTheMapper() throws Exception {
        Map<String, Object> other = Map.of("jobs", List.of());
        assertThat(ResponseJson.bytes(other)).isEqualTo(ApiJson.MAPPER.writeValueAsBytes(other));
    }
}
