package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job cancelled by a perfbox from before the failure code CANCELLED was stored CANCELLED with INTERRUPTED; read
 * back now, it says CANCELLED (INTERRUPTED is a crash or restart), and a crashed job keeps INTERRUPTED.
 */
class SqliteCancelledJobsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path dataDir;

    @Test
    void aRowStoredCancelledWithTheOldCodeInterruptedReadsAsCancelled() throws Exception {
        Job job = Job.queued(JobId.random(), "alice", "old", null, T0);
        Job crashed = Job.queued(JobId.random(), "alice", "crashed", null, T0.plusSeconds(1));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(job, Optional.empty());
            store.update(job.cancelled(T0.plusSeconds(5)), EnumSet.of(JobStatus.QUEUED));
            store.create(crashed, Optional.empty());
            store.update(crashed.failed(Failure.of(FailureCode.INTERRUPTED, "perfbox stopped"), T0.plusSeconds(6)),
                    EnumSet.of(JobStatus.QUEUED));
        }
        // What the older perfbox wrote for the cancel.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteJobStore.FILE_NAME));
             PreparedStatement st = c.prepareStatement("UPDATE jobs SET failure_code = 'INTERRUPTED' WHERE id = ?")) {
            st.setString(1, job.id().value());
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            Job read = store.find(job.id()).orElseThrow();
            assertThat(read.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(read.failure()).isEqualTo(Failure.of(FailureCode.CANCELLED, "Cancelled by the user while QUEUED"));
            assertThat(store.find(crashed.id()).orElseThrow().failure().code()).isEqualTo(FailureCode.INTERRUPTED);
        }
    }
}
