package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a writing JVM with SIGKILL and checks that everything it reported committed survived. */
class SqliteCrashIT {
    private static final int IDS_BEFORE_KILL = 500;

    @TempDir
    Path dataDir;

    @Test
    void everyJobReportedCommittedSurvivesKillNineAndTheFileIsIntact() throws Exception {
        for (int run = 0; run < 3; run++) {
            List<JobId> committed = runAndKill(IDS_BEFORE_KILL);
            // The killed writer left its write-ahead log behind: reopening has to recover from it.
            assertThat(dataDir.resolve(SqliteJobStore.FILE_NAME + "-wal")).isNotEmptyFile();

            try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
                for (JobId id : committed) {
                    Optional<Job> job = store.find(id);
                    assertThat(job).as("job %s reported committed", id).isPresent();
                    assertThat(job.get().status()).isEqualTo(JobStatus.BUILDING);
                }
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteJobStore.FILE_NAME));
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
        }
    }

    /** Starts {@link CrashingWriter}, reads {@code count} committed ids, kills it with SIGKILL; returns the ids. */
    private List<JobId> runAndKill(int count) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path stderr = Files.createTempFile(dataDir.getParent(), "crashing-writer", ".err");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), dataDir.toString())
                .redirectError(stderr.toFile())
                .start();
        List<JobId> ids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("child stderr: %s", readQuietly(stderr)).isEqualTo("ready");
            while (ids.size() < count) {
                String line = out.readLine();
                assertThat(line).as("child ended early; stderr: %s", readQuietly(stderr)).isNotNull();
                ids.add(new JobId(line));
            }
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe, and
            // the ids printed between the last read and the kill were committed too.
            assertThat(child.toHandle().destroyForcibly()).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.length() == 36) {
                    ids.add(new JobId(line));
                }
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed, not ended").isNotZero();
        return ids;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
