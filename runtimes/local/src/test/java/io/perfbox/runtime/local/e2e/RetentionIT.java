package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --retain-days} on a real server, its Docker engine and its data dir: a job that finished longer ago
 * than the retention goes with its files, its image and its idempotency record while the server runs (the periodic
 * sweep) and at the next start (the first sweep); a job that finished recently and a job under way stay, files and
 * all. The jobs are made old by writing the times they finished into the database, as a data dir of a month ago
 * would hold them.
 */
@RequiresDocker
class RetentionIT {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final String QUICK = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";
    private static final String SLEEPER = "FROM debian:bookworm\nCMD sleep 600\n";
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final List<String> madeImages = new ArrayList<>();

    @AfterEach
    void removeImages() throws Exception {
        for (String image : madeImages) {
            Docker.run("rmi", "-f", image);
        }
    }

    /** Ages the finished job in the server's database: it finished {@code daysAgo} days ago. */
    private static void finishedDaysAgo(Path dataDir, String jobId, int daysAgo) throws Exception {
        Instant then = Instant.now().minus(Duration.ofDays(daysAgo));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("perfbox.db"));
             Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=10000");
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET finished_at = ?, updated_at = ?, finished_key = ? WHERE id = ? AND finished_key IS NOT NULL")) {
                ps.setString(1, then.toString());
                ps.setString(2, then.toString());
                ps.setString(3, SORTABLE.format(then));
                ps.setString(4, jobId);
                assertThat(ps.executeUpdate()).as("job " + jobId + " is finished in the database").isEqualTo(1);
            }
        }
    }

    private static void idempotencyKeyMadeDaysAgo(Path dataDir, String key, int daysAgo) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("perfbox.db"));
             Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=10000");
            try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_keys SET made_at = ? WHERE key = ?")) {
                ps.setString(1, SORTABLE.format(Instant.now().minus(Duration.ofDays(daysAgo))));
                ps.setString(2, key);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }
    }

    /** An image in the engine labelled as this store's image of the job, as a job whose clean-up failed leaves it. */
    private String imageLabelledFor(String storeId, String jobId) throws Exception {
        String container = Docker.run("create", "debian:bookworm", "true");
        String tag = "perfbox-retention-it-" + jobId + ":latest";
        try {
            Docker.run("commit", "--change", "LABEL io.perfbox.store=" + storeId, "--change",
                    "LABEL io.perfbox.job=" + jobId, container, tag);
        } finally {
            Docker.run("rm", "-f", container);
        }
        madeImages.add(tag);
        assertThat(Docker.imagesOf(jobId)).as("image of " + jobId).hasSize(1);
        return tag;
    }

    private static String submitWithKey(Http http, String dockerfile, String key) throws Exception {
        Http.Reply r = http.send("POST", "/jobs", "text/plain", dockerfile.getBytes(StandardCharsets.UTF_8),
                Map.of("Idempotency-Key", key));
        assertThat(r.status()).as(r.body()).isBetween(200, 202);
        return r.json().get("id").asText();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!condition.call()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    void anOldFinishedJobGoesWithItsFilesImageAndKeyWhileRecentAndActiveJobsStayAndTheNextStartSweepsToo() throws Exception {
        Path dataDir = Path.of("target", "e2e", "retention-" + UUID.randomUUID()).toAbsolutePath();
        Path serverLog = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
        String key = "retention-" + UUID.randomUUID();
        String old;
        String recent;
        String running;
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with(
                "--workers", "1", "--retain-days", "30", "--retention-interval", "2s"))) {
            Http http = new Http(server.baseUrl());
            old = submitWithKey(http, QUICK, key);
            recent = http.submit(QUICK);
            assertThat(http.awaitEnd(old, WAIT).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(http.awaitEnd(recent, WAIT).get("status").asText()).isEqualTo("SUCCEEDED");
            running = http.submit(SLEEPER);
            http.awaitJob(running, "RUNNING"::equals, WAIT);
            assertThat(dataDir.resolve("jobs").resolve(old)).isDirectory();
            assertThat(submitWithKey(http, QUICK, key)).as("the key answers the first job").isEqualTo(old);

            String storeId = Files.readString(dataDir.resolve("store-id")).strip();
            imageLabelledFor(storeId, old);
            imageLabelledFor(storeId, recent);
            // Files no record names (a delete cut short by a crash), unchanged for 40 days.
            Path orphan = Files.createDirectories(dataDir.resolve("jobs").resolve(UUID.randomUUID().toString()));
            Files.writeString(orphan.resolve("Dockerfile"), QUICK);
            Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(40))));
            finishedDaysAgo(dataDir, old, 31);
            finishedDaysAgo(dataDir, recent, 29);
            idempotencyKeyMadeDaysAgo(dataDir, key, 31);

            await("the old job to go", () -> http.get("/jobs/" + old).status() == 404);
            await("its files to go", () -> !Files.exists(dataDir.resolve("jobs").resolve(old)));
            await("its image to go", () -> Docker.imagesOf(old).isEmpty());
            await("the orphaned files to go", () -> !Files.exists(orphan));
            await("the sweep's log line", () -> Files.readString(serverLog).contains("retention: removed 1 finished job(s) ("));
            String line = Files.readAllLines(serverLog).stream().filter(l -> l.contains("retention: removed 1 finished job(s)"))
                    .findFirst().orElseThrow();
            assertThat(line).containsPattern("\\(([1-9][0-9]*) bytes of files, 1 image\\(s\\)\\) and 1 idempotency record");

            assertThat(http.job(recent).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(dataDir.resolve("jobs").resolve(recent).resolve("Dockerfile")).isRegularFile();
            assertThat(Docker.imagesOf(recent)).as("a recent job's image is not the retention's").hasSize(1);
            assertThat(http.job(running).get("status").asText()).isEqualTo("RUNNING");
            assertThat(Docker.runningContainersOf(running)).isNotEmpty();
            assertThat(http.get("/jobs").json().get("jobs").findValuesAsText("id")).containsExactlyInAnyOrder(recent, running);
            String again = submitWithKey(http, QUICK, key);
            assertThat(again).as("the expired key makes a new job").isNotEqualTo(old);
            assertThat(http.job(again).get("status").asText()).as("behind the sleeper on the one worker").isEqualTo("QUEUED");
            server.stop(Duration.ofSeconds(90));
        }

        // The recent job is now past the retention too; the next start's first sweep removes it (the default hourly
        // interval: no periodic sweep comes within this test).
        finishedDaysAgo(dataDir, recent, 45);
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--retain-days", "30"))) {
            Http http = new Http(server.baseUrl());
            await("the start's sweep", () -> http.get("/jobs/" + recent).status() == 404);
            assertThat(dataDir.resolve("jobs").resolve(recent)).doesNotExist();
            assertThat(http.job(running).get("status").asText()).as("ended by the stop, just now: kept").isEqualTo("FAILED");
            assertThat(dataDir.resolve("jobs").resolve(running)).isDirectory();
        }
    }
}
