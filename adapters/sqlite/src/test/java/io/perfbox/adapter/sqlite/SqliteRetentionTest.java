package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention's SQLite side: its migration from schema 6, its index, and what a removal takes with the job. */
class SqliteRetentionTest {
    @TempDir
    Path dataDir;

    private final Instant t0 = Instant.parse("2026-03-04T05:06:07.123456789Z");

    @Test
    void aSchemaSixDatabaseLearnsWhenItsJobsFinishedAndWhenItsIdempotencyRecordsWereMade() throws SQLException {
        Job finished = Job.queued(JobId.random(), "alice", "a", null, t0).failed(Failure.of(FailureCode.BUILD_FAILED, "x"),
                t0.plusSeconds(5));
        Job running = Job.queued(JobId.random(), "alice", "b", null, t0).advancedTo(JobStatus.RUNNING, t0.plusSeconds(1));
        Job deleted = Job.queued(JobId.random(), "alice", "c", null, t0);
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(finished, Optional.of(new IdempotencyKey("k1", "fp")));
            store.create(running, Optional.empty());
            store.create(deleted, Optional.of(new IdempotencyKey("k2", "fp")));
            store.delete(deleted.id());
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // Back to schema 6, as a database of the perfbox before retention.
            st.execute("DROP INDEX jobs_by_finished");
            st.execute("DROP INDEX idempotency_keys_by_time");
            st.execute("ALTER TABLE jobs DROP COLUMN finished_key");
            st.execute("ALTER TABLE idempotency_keys DROP COLUMN made_at");
            st.execute("PRAGMA user_version=6");
        }
        Instant beforeMigration = Instant.now();
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.finishedBefore(t0.plusSeconds(5), 10)).isEmpty();
            assertThat(store.finishedBefore(t0.plusSeconds(5).plusNanos(1), 10)).containsExactly(finished);
            // The record of a job that is still there was made with it; the one whose job is gone, at the migration.
            assertThat(store.forgetIdempotencyKeysBefore(t0.plusNanos(1))).isEqualTo(1);
            assertThat(store.forgetIdempotencyKeysBefore(beforeMigration.minusSeconds(1))).isZero();
            assertThat(store.forgetIdempotencyKeysBefore(Instant.now().plusSeconds(1))).isEqualTo(1);
            assertThat(store.removeFinished(running.id(), Instant.now().plus(Duration.ofDays(999)))).isFalse();
        }
    }

    @Test
    void theRetentionsQueriesGoThroughTheirIndexesWithoutSorting() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            String plan = plan(st, SqliteJobStore.FINISHED_BEFORE_SQL.replace("LIMIT ?", "LIMIT 100").replace("?", "'x'"));
            assertThat(plan).contains("SEARCH jobs USING INDEX jobs_by_finished (").doesNotContain("TEMP B-TREE")
                    .doesNotContain("SCAN");
        }
    }

    @Test
    void aRemovedJobLeavesTheLeaderboardAndItsSubmissionStays() {
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            Job best = Job.queued(JobId.random(), "alice", "best", null, t0);
            store.create(best, Optional.empty());
            Job done = best.advancedTo(JobStatus.RUNNING, t0).succeeded(0.9, t0.plusSeconds(1));
            store.update(done, EnumSet.of(JobStatus.QUEUED));
            assertThat(store.ranked("alice", "performance", RankOrder.DESC, 10)).containsExactly(done);

            assertThat(store.removeFinished(best.id(), t0.plusSeconds(2))).isTrue();

            assertThat(store.ranked("alice", "performance", RankOrder.DESC, 10)).isEmpty();
            assertThat(store.history("alice", "performance", 10)).isEmpty();
            assertThat(store.submissionsSince("alice", t0).count()).isEqualTo(1);
        }
    }

    private static String plan(Statement st, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString("detail")).append('\n');
            }
        }
        return plan.toString();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteJobStore.FILE_NAME));
    }
}
