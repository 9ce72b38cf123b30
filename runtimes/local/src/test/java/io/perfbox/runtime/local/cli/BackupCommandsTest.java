package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.sqlite.SqliteJobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code perfbox backup} and {@code restore} as a user types them: what they print and their exit codes. */
class BackupCommandsTest {
    @TempDir
    Path dir;

    @Test
    void aBackupAndItsRestoreSayWhatTheyDidAndExit0() {
        Path data = dir.resolve("data");
        SqliteJobStore.open(data).close();
        CliRun backup = CliRun.of(Map.of("HOME", dir.toString()), "backup", "--data-dir", data.toString(), dir.resolve("b.tar.gz").toString());
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("backed up 0 job(s), 0 API key(s) and 1 file(s)");
        CliRun restore = CliRun.of(Map.of("HOME", dir.toString()), "restore", "~/b.tar.gz", "--data-dir", "~/restored");
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("into " + dir.resolve("restored")).contains("perfbox serve --data-dir " + dir.resolve("restored"));
        assertThat(dir.resolve("restored").resolve("perfbox.db")).isRegularFile();
    }

    @Test
    void whatCannotBeDoneIsAUsageErrorWithTheReason() throws Exception {
        Map<String, String> env = Map.of("HOME", dir.toString());
        CliRun noData = CliRun.of(env, "backup", "--data-dir", dir.resolve("none").toString(), dir.resolve("x.tar.gz").toString());
        assertThat(noData.exitCode()).isEqualTo(2);
        assertThat(noData.err()).contains("holds no perfbox database");

        CliRun noTarget = CliRun.of(env, "restore", dir.resolve("x.tar.gz").toString());
        assertThat(noTarget.exitCode()).isEqualTo(2);
        assertThat(noTarget.err()).contains("--data-dir");

        Path bogus = Files.writeString(dir.resolve("bogus.tar.gz"), "not a backup");
        CliRun refused = CliRun.of(env, "restore", bogus.toString(), "--data-dir", dir.resolve("r").toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("is not a sound perfbox backup");
        assertThat(dir.resolve("r")).doesNotExist();
    }
}
