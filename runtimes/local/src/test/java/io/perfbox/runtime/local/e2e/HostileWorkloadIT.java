package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dockerfiles a careless or malicious customer could send. Each must end with the right code while the host,
 * the server and other jobs carry on unaffected.
 */
@RequiresDocker
class HostileWorkloadIT {
    private static final Duration END = Duration.ofMinutes(3);
    private static PerfboxProcess server;
    private static Http http;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "hostile-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with(
                "--workers", "2", "--build-timeout", "10s", "--run-timeout", "6s", "--memory", "64m", "--pids", "64",
                "--max-image-size", "160m"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode runToEnd(String dockerfile) throws Exception {
        JsonNode job = http.awaitEnd(http.submit(dockerfile), END);
        // The server still answers after each hostile job.
        assertThat(http.get("/jobs?limit=1").status()).isEqualTo(200);
        return job;
    }

    private static void assertFailed(JsonNode job, String code) {
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FAILED");
        assertThat(job.get("failure").get("code").asText()).as(job.toString()).isEqualTo(code);
    }

    @Test
    void hugePerfJsonIsReadWithABoundAndRejected() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD head -c 50000000 /dev/zero > /data/perf.json\n"), "INVALID_RESULT");
    }

    @Test
    void namedPipeAsPerfJsonNeverHangsTheCollector() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD mkfifo /data/perf.json\n"), "INVALID_RESULT");
    }

    @Test
    void linkToAnotherJobsDirectoryIsNeverFollowed() throws Exception {
        String victim = http.submit("FROM debian:bookworm\nCMD echo '{\"perf\":0.77}' > /data/perf.json; sleep 4\n");
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD ln -s ../../" + victim + "/data/perf.json /data/perf.json\n");
        assertFailed(job, "INVALID_RESULT");
        assertThat(job.get("failure").get("message").asText()).contains("link");
        assertThat(http.awaitEnd(victim, END).get("performance").asDouble()).isEqualTo(0.77);
    }

    @Test
    void forkBombIsHeldByThePidsLimit() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD [\"bash\", \"-c\", \"f(){ f | f & }; f; sleep 60\"]\n");
        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("failure").get("code").asText()).isIn("RUN_TIMEOUT", "RUN_FAILED", "OUT_OF_MEMORY");
        assertThat(Docker.containersOf(job.get("id").asText())).isEmpty();
    }

    @Test
    void cpuSpinAndSleepForeverEndRunTimeout() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nCMD while :; do :; done\n"), "RUN_TIMEOUT");
        assertFailed(runToEnd("FROM debian:bookworm\nCMD sleep infinity\n"), "RUN_TIMEOUT");
    }

    @Test
    void logFloodIsBounded() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nCMD head -c 10000000 /dev/zero | tr '\\0' x; echo; echo '{\"perf\":1}' > /data/perf.json\n");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode run = http.get("/jobs/" + job.get("id").asText() + "/logs").json().get("run");
        assertThat(run.get("truncated").asBoolean()).isTrue();
        assertThat(run.get("text").asText().length()).isLessThan(2 * 1024 * 1024);
    }

    @Test
    void imageOverTheSizeLimitEndsImageTooLargeAndIsNeitherScannedNorRun() throws Exception {
        // The server's limit is 160 MiB: the base image (~120 MB) plus 64 MiB is over it, the base image alone is not.
        JsonNode job = runToEnd("FROM debian:bookworm\nRUN head -c 67108864 /dev/urandom > /ballast\n"
                + "CMD echo '{\"perf\":1}' > /data/perf.json\n");
        assertFailed(job, "IMAGE_TOO_LARGE");
        assertThat(job.get("failure").get("message").asText()).contains("MiB");
        assertThat(job.get("stages").get("scanStartedAt").isNull()).as("never scanned").isTrue();
        assertThat(job.get("stages").get("runStartedAt").isNull()).as("never ran").isTrue();
        assertThat(Docker.imagesOf(job.get("id").asText())).as("image removed").isEmpty();
    }

    @Test
    void twentyMixedJobsLeaveNoImageBehind() throws Exception {
        Set<String> before = Set.copyOf(Docker.allImages());
        String unique = UUID.randomUUID().toString();
        List<String> kinds = List.of(
                "FROM debian:bookworm\nRUN echo " + unique + "-%d > /step\nCMD echo '{\"perf\":1}' > /data/perf.json\n",
                "FROM debian:bookworm\nRUN echo " + unique + "-%d > /a\nRUN echo second > /b\nRUN exit 3\n",
                "FROM debian:bookworm\nRUN echo " + unique + "-%d\nCMD exit 4\n",
                "FROM debian:bookworm\nRUN echo " + unique + "-%d && sleep infinity\n",
                "FROM debian:bookworm\nRUN echo " + unique + "-%d\nCMD sleep infinity\n");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(http.submit(String.format(kinds.get(i % kinds.size()), i)));
        }
        // Some are cancelled on the way, whatever stage they reached.
        for (int i = 2; i < 20; i += 6) {
            http.cancel(ids.get(i));
        }
        for (String id : ids) {
            http.awaitEnd(id, Duration.ofMinutes(6));
        }
        Set<String> after = new HashSet<>(Docker.allImages());
        after.removeAll(before);
        // Other builds may run on this engine meanwhile (the launcher's test preparations build an image beside the
        // tests): an image left by these jobs is one made since whose history holds one of their steps.
        List<String> left = new ArrayList<>();
        for (String image : after) {
            if (Docker.historyOf(image).contains(unique)) {
                left.add(image);
            }
        }
        assertThat(left).as("images (intermediate ones included) the 20 jobs left").isEmpty();
        assertThat(Docker.imagesOfStore(Files.readString(server.dataDir().resolve("store-id")).strip()))
                .as("images labelled for this store").isEmpty();
    }

    @Test
    void aBuildStepPastTheRunsMemoryLimitEndsBuildFailedNamingTheLimit() throws Exception {
        // The server's builds default to its run limits (64 MiB, 64 processes).
        JsonNode job = runToEnd("FROM debian:bookworm\nRUN echo " + UUID.randomUUID()
                + "; head -c 600000000 /dev/zero | tail -c 600000000 > /dev/null\n");
        assertFailed(job, "BUILD_FAILED");
        assertThat(job.get("failure").get("message").asText()).contains("memory limit (64 MiB, --build-memory)");
    }

    @Test
    void aBuildStepForkingPastTheRunsProcessLimitEndsBuildFailedNamingTheLimit() throws Exception {
        JsonNode job = runToEnd("FROM debian:bookworm\nRUN echo " + UUID.randomUUID()
                + "; for i in $(seq 1 155); do sleep 3 & done; wait\n");
        assertFailed(job, "BUILD_FAILED");
        assertThat(job.get("failure").get("message").asText()).contains("process limit (64, --build-pids)");
    }

    @Test
    void buildThatNeverEndsEndsBuildTimeout() throws Exception {
        assertFailed(runToEnd("FROM debian:bookworm\nRUN sleep infinity\n"), "BUILD_TIMEOUT");
    }

    @Test
    void twoJobsRunningTogetherCannotSeeEachOthersData() throws Exception {
        String secret = "perfbox-secret-" + UUID.randomUUID();
        // The first job keeps a file named after a secret in its /data (with the secret inside) while the second,
        // running at the same time, looks for any such file anywhere in its file system, and for the secret in
        // every writable place.
        // A server of its own, with a long run timeout, so the keeper is surely still running while the seeker runs.
        Path dataDir = Path.of("target", "e2e", "hostile-pair-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess pair = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2", "--run-timeout", "5m"))) {
            Http http = new Http(pair.baseUrl());
            String keeper = http.submit("FROM debian:bookworm\nCMD echo " + secret + " > /data/" + secret + "; "
                    + "echo '{\"perf\":1}' > /data/perf.json; sleep 300\n");
            http.awaitJob(keeper, "RUNNING"::equals, END);
            for (int i = 0; i < 120 && Docker.runningContainersOf(keeper).isEmpty(); i++) {
                Thread.sleep(250);
            }
            assertThat(Docker.runningContainersOf(keeper)).as("the keeper runs").isNotEmpty();
            JsonNode seeker = http.awaitEnd(http.submit("FROM debian:bookworm\nCMD [\"bash\", \"-c\", \""
                    + "r=0; if find / \\\\( -path /proc -o -path /sys \\\\) -prune -o -name 'perfbox-secret-*' -print | grep -q .; then r=1; "
                    + "elif grep -rqs perfbox-secret- /data /tmp /mnt /media /srv /home /root /run /var /opt; then r=2; "
                    + "elif [ -n \\\"$(ls -A /data)\\\" ]; then r=3; fi; echo $r > /data/perf.json\"]\n"), END);
            assertThat(seeker.get("status").asText()).as(seeker.toString()).isEqualTo("SUCCEEDED");
            assertThat(seeker.get("performance").asDouble()).as("0 = no trace of the other job").isEqualTo(0.0);
            assertThat(Docker.runningContainersOf(keeper)).as("the keeper ran all along").isNotEmpty();
            assertThat(http.cancel(keeper).status()).isEqualTo(200);
            assertThat(http.delete("/jobs/" + keeper).status()).isEqualTo(200);
        }
    }

    @Test
    void nothingConnectsOutOfARun() throws Exception {
        // A listener on the host side of a Docker bridge this test creates: the run must not reach it.
        try (BridgeListener bridge = BridgeListener.open("perfbox-hostile-", 53)) {
            String gateway = bridge.gateway();
            // DNS: the run points its resolver at the same bridge address, where a UDP socket listens on 53.
            JsonNode job = runToEnd("FROM debian:bookworm\nCMD [\"bash\", \"-c\", \""
                    + "echo 'nameserver " + gateway + "' > /etc/resolv.conf 2>/dev/null; "
                    + "if timeout 3 bash -c 'exec 3<>/dev/tcp/" + gateway + "/" + bridge.tcpPort() + "' 2>/dev/null; "
                    + "then echo 1; elif timeout 3 getent hosts probe.perfbox.test >/dev/null; then echo 2; "
                    + "elif timeout 3 bash -c 'echo probe > /dev/udp/" + gateway + "/53' 2>/dev/null; then echo 3; "
                    + "else echo 0; fi > /data/perf.json\"]\n");
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).as("0 = neither TCP, DNS nor UDP got out").isEqualTo(0.0);
            bridge.stopListening();
            assertThat(bridge.accepted()).as("TCP connections from the run").isZero();
            assertThat(bridge.datagrams()).as("DNS/UDP datagrams from the run").isZero();
        }
    }
}
