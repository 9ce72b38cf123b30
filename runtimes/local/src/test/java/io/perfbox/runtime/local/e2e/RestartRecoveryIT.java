package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A crash (SIGKILL) or a normal stop of perfbox mid-run: after a restart no job is stuck and nothing is left running. */
@RequiresDocker
class RestartRecoveryIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SLEEPER = "FROM debian:bookworm\nCMD sleep 600\n";
    private static final String QUICK = "FROM debian:bookworm\nCMD echo '{\"perf\":0.42}' > /data/perf.json\n";

    private static Path freshDataDir() {
        return Path.of("target", "e2e", "restart-" + UUID.randomUUID()).toAbsolutePath();
    }

    private static PerfboxProcess start(Path dataDir) throws Exception {
        return PerfboxProcess.start(dataDir, RealTrivy.with(
                "--workers", "1", "--run-timeout", "10m"));
    }

    /** RUNNING is recorded just before the container starts: wait until it really runs. */
    private static void awaitContainer(String jobId) throws Exception {
        for (int i = 0; i < 120 && Docker.runningContainersOf(jobId).isEmpty(); i++) {
            Thread.sleep(250);
        }
        assertThat(Docker.runningContainersOf(jobId)).as("container of " + jobId + " running").isNotEmpty();
    }

    @Test
    void afterACrashTheRunningJobEndsInterruptedAndTheQueuedOneResumes() throws Exception {
        Path dataDir = freshDataDir();
        String running;
        String queued;
        try (PerfboxProcess first = start(dataDir)) {
            Http http = new Http(first.baseUrl());
            running = http.submit(SLEEPER);
            http.awaitJob(running, "RUNNING"::equals, WAIT);
            awaitContainer(running);
            queued = http.submit(QUICK);
            assertThat(http.job(queued).get("status").asText()).isEqualTo("QUEUED");
            first.kill();
        }
        assertThat(Docker.runningContainersOf(running)).as("the orphan survives the crash").isNotEmpty();

        try (PerfboxProcess second = start(dataDir)) {
            Http http = new Http(second.baseUrl());
            JsonNode interrupted = http.job(running);
            assertThat(interrupted.get("status").asText()).isEqualTo("FAILED");
            assertThat(interrupted.get("failure").get("code").asText()).isEqualTo("INTERRUPTED");
            assertThat(Docker.containersOf(running)).as("leftover container removed at start").isEmpty();
            assertThat(Docker.imagesOf(running)).as("leftover image removed at start").isEmpty();

            JsonNode resumed = http.awaitEnd(queued, WAIT);
            assertThat(resumed.get("status").asText()).as(resumed.toString()).isEqualTo("SUCCEEDED");
            assertThat(resumed.get("performance").asDouble()).isEqualTo(0.42);
        }
    }

    @Test
    void aNormalStopEndsRunningJobsInterruptedAndStopsTheirContainers() throws Exception {
        Path dataDir = freshDataDir();
        String running;
        try (PerfboxProcess first = start(dataDir)) {
            Http http = new Http(first.baseUrl());
            running = http.submit(SLEEPER);
            http.awaitJob(running, "RUNNING"::equals, WAIT);
            awaitContainer(running);
            first.stop(Duration.ofSeconds(90));
        }
        assertThat(Docker.containersOf(running)).as("stopped with the server").isEmpty();
        try (PerfboxProcess second = start(dataDir)) {
            JsonNode job = new Http(second.baseUrl()).job(running);
            assertThat(job.get("status").asText()).isEqualTo("FAILED");
            assertThat(job.get("failure").get("code").asText()).isEqualTo("INTERRUPTED");
        }
    }

    @Test
    void jobsSurviveARestart() throws Exception {
        Path dataDir = freshDataDir();
        String done;
        try (PerfboxProcess first = start(dataDir)) {
            Http http = new Http(first.baseUrl());
            done = http.submit(QUICK);
            assertThat(http.awaitEnd(done, WAIT).get("status").asText()).isEqualTo("SUCCEEDED");
        }
        try (PerfboxProcess second = start(dataDir)) {
            JsonNode job = new Http(second.baseUrl()).job(done);
            assertThat(job.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).isEqualTo(0.42);
        }
    }
}
