package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline over HTTP against the real Docker engine: one server (its own JVM, as a user starts it)
 * with short timeouts, and a Dockerfile per behaviour.
 */
@RequiresDocker
class LocalRuntimeIT {
    private static final Duration END = Duration.ofMinutes(3);
    private static PerfboxProcess server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "runtime-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with(
                "--workers", "3",
                "--build-timeout", "60s",
                "--run-timeout", "8s",
                "--memory", "64m"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode runToEnd(String dockerfile) throws Exception {
        return http.awaitEnd(http.submit(dockerfile), END);
    }

    private static void assertFailed(JsonNode job, String code) {
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("failure").get("code").asText()).as(job.toString()).isEqualTo(code);
        assertThat(job.get("failure").get("message").asText()).isNotBlank();
        assertThat(job.get("performance").isNull()).isTrue();
    }

    @Test
    void successfulJobReportsItsPerformance() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").isNumber()).isTrue();
        assertThat(job.get("performance").asDouble()).isEqualTo(0.99);
        assertThat(job.get("failure").isNull()).isTrue();
        JsonNode stages = job.get("stages");
        for (String stage : new String[] {"queuedAt", "buildStartedAt", "scanStartedAt", "runStartedAt", "finishedAt"}) {
            assertThat(stages.get(stage).isTextual()).as(stage).isTrue();
        }
        assertThat(job.get("vulnerabilities").get("HIGH").asInt()).isZero();
        String id = job.get("id").asText();
        assertThat(Docker.containersOf(id)).as("container removed").isEmpty();
        assertThat(Docker.imagesOf(id)).as("image removed").isEmpty();

        JsonNode logs = http.get("/jobs/" + id + "/logs").json();
        assertThat(logs.get("build").get("text").asText()).isNotBlank();
        JsonNode scan = http.get("/jobs/" + id + "/scan").json();
        assertThat(scan.get("scanned").asBoolean()).isTrue();
        assertThat(scan.get("findings")).as("the base image's low/medium findings, below the HIGH threshold")
                .extracting(f -> f.get("vulnerabilityId").asText()).contains(RealTrivy.BASE_LOW);
    }

    @Test
    void bareNumberInPerfJsonIsAccepted() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD echo '-12.5e-1' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").asDouble()).isEqualTo(-1.25);
    }

    @Test
    void buildFailureEndsBuildFailed() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nRUN echo about to fail && exit 3\nCMD true\n");
        assertFailed(job, "BUILD_FAILED");
        String build = http.get("/jobs/" + job.get("id").asText() + "/logs").json().get("build").get("text").asText();
        assertThat(build).contains("about to fail");
    }

    @Test
    void unknownInstructionEndsInvalidDockerfile() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nFOO bar\nCMD true\n");
        assertFailed(job, "INVALID_DOCKERFILE");
        assertThat(job.get("failure").get("message").asText()).contains("FOO");
    }

    @Test
    void copyOfAFileOutsideTheDockerfileFailsTheBuild() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCOPY secrets.txt /\nCMD true\n"), "BUILD_FAILED");
    }

    @Test
    void missingPerfJsonEndsNoResult() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD echo done\n"), "NO_RESULT");
    }

    @Test
    void invalidPerfJsonEndsInvalidResult() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD echo '{\"perf\": \"high\"}' > /data/perf.json\n"), "INVALID_RESULT");
        assertFailed(runToEnd("FROM debian:bookworm\nCMD echo 'not json' > /data/perf.json\n"), "INVALID_RESULT");
    }

    @Test
    void perfJsonLinkedToAHostFileIsNotFollowed() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD ln -s /etc/hostname /data/perf.json\n"), "INVALID_RESULT");
    }

    @Test
    void nonZeroExitEndsRunFailedWithTheCode() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD echo '{\"perf\":1}' > /data/perf.json; exit 7\n");
        assertFailed(job, "RUN_FAILED");
        assertThat(job.get("failure").get("message").asText()).contains("7");
    }

    @Test
    void containerRunningPastTheTimeoutEndsRunTimeout() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD sleep 600\n");
        assertFailed(job, "RUN_TIMEOUT");
        assertThat(Docker.containersOf(job.get("id").asText())).isEmpty();
    }

    @Test
    void memoryHogEndsOutOfMemory() throws Exception {
        // Holds ~256 MiB in a shell variable against a 64 MiB limit.
        JsonNode job = runToEnd("FROM debian:bookworm\n"
                + "CMD x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo '{\"perf\":1}' > /data/perf.json\n");
        assertFailed(job, "OUT_OF_MEMORY");
    }

    @Test
    void childKilledForMemoryWhileTheMainProcessSucceedsLeavesAVisibleWarning() throws Exception {
        // A child shell holds ~256 MiB against the 64 MiB limit and is OOM-killed; the main process carries on.
        JsonNode job = runToEnd("FROM debian:bookworm\n"
                + "CMD sh -c 'x=$(head -c 268435456 /dev/zero | tr \"\\0\" a)'; echo '{\"perf\":0.5}' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").asDouble()).isEqualTo(0.5);
        assertThat(job.get("warnings")).as(job.toString()).hasSize(1);
        assertThat(job.get("warnings").get(0).asText()).contains("out of memory").contains("64 MiB");
    }

    @Test
    void successfulJobWithoutIncidentsHasNoWarnings() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD echo '{\"perf\":0.25}' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("warnings").isArray()).as(job.toString()).isTrue();
        assertThat(job.get("warnings")).isEmpty();
    }

    @Test
    void runHasNoNetworkButLoopback() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\n"
                + "CMD if [ \"$(ls /sys/class/net)\" = lo ] && [ \"$(wc -l < /proc/net/route)\" = 1 ]; "
                + "then echo '{\"perf\":1}'; else echo '{\"perf\":0}'; fi > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").asDouble()).as("only the loopback interface, and no route").isEqualTo(1.0);
    }

    @Test
    void cancellingARunningJobKillsItsContainerAndKeepsTheJobCancelledWithItsLogsUntilDeleted() throws Exception {
        String marker = "build-log-marker-" + UUID.randomUUID();
        String runMarker = "run-log-marker-" + UUID.randomUUID();
        String id = http.submit("FROM debian:bookworm\nRUN echo " + marker + "\nCMD echo " + runMarker + "; sleep 600\n");
        http.awaitJob(id, "RUNNING"::equals, END);
        // The run has written its line (stored as produced) before it is cancelled.
        for (int i = 0; i < 100 && !http.send("GET", "/jobs/" + id + "/logs", null, null, Map.of("Accept", "text/plain"))
                .body().contains(runMarker); i++) {
            Thread.sleep(100);
        }

        Http.Reply refused = http.delete("/jobs/" + id);
        assertThat(refused.status()).as("a job under way is not deleted").isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asText()).endsWith(":job-not-finished");
        assertThat(http.job(id).get("status").asText()).isEqualTo("RUNNING");

        Http.Reply cancelled = http.cancel(id);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(Docker.containersOf(id)).isEmpty();
        assertThat(Docker.imagesOf(id)).isEmpty();

        JsonNode kept = http.job(id);
        assertThat(kept.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(kept.get("failure").get("message").asText()).contains("RUNNING");
        Http.Reply logs = http.get("/jobs/" + id + "/logs");
        assertThat(logs.status()).isEqualTo(200);
        assertThat(logs.json().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(logs.json().get("build").toString()).contains(marker);
        assertThat(logs.json().get("run").toString()).as("the cancelled run's output is kept").contains(runMarker);
        assertThat(http.cancel(id).json().get("status").asText()).as("cancel again: the same answer").isEqualTo("CANCELLED");

        assertThat(http.delete("/jobs/" + id).status()).isEqualTo(200);
        assertThat(http.get("/jobs/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/jobs/" + id).status()).isEqualTo(404);
    }

    @Test
    void jobsSubmittedTogetherAllRunEachWithItsOwnData() throws Exception {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 1; i <= 5; i++) {
            // Each job checks /data starts empty (no other job's files), then writes its own number.
            ids.put(http.submit("FROM debian:bookworm\n"
                    + "CMD if [ -z \"$(ls -A /data)\" ]; then v=" + i + "; else v=-1; fi; echo $v > /data/perf.json\n"), i);
        }
        for (var e : ids.entrySet()) {
            JsonNode job = http.awaitEnd(e.getKey(), END);
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asInt()).isEqualTo(e.getValue());
        }
    }

    @Test
    void imageRunningAsAnUnprivilegedUserCanWriteItsResult() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nUSER nobody\nCMD echo '{\"perf\":0.25}' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("performance").asDouble()).isEqualTo(0.25);
    }

    @Test
    void cancellingDuringTheBuildStopsIt() throws Exception {
        String marker = "build-marker-" + UUID.randomUUID();
        String id = http.submit("FROM debian:bookworm\nRUN echo " + marker + " && sleep 600\nCMD true\n");
        http.awaitJob(id, "BUILDING"::equals, END);
        Thread.sleep(1500);
        Http.Reply cancelled = http.cancel(id);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asText()).isEqualTo("CANCELLED");
        Thread.sleep(1000);
        assertThat(Docker.run("ps", "-a", "--no-trunc", "--format", "{{.Command}}")).doesNotContain(marker);
        assertThat(http.job(id).get("status").asText()).isEqualTo("CANCELLED");
    }
}
