package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.JobStore.IdempotencyKey;
import io.perfbox.core.port.TenantUsage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStorePersistenceTest {
    @TempDir
    Path dataDir;

    private final Instant t0 = Instant.parse("2026-03-04T05:06:07.123456789Z");

    @Test
    void reopenedFileKeepsJobsIdempotencyRecordsAndPageTokens() {
        Job first = Job.queued(JobId.random(), "alice", "a", "first", t0);
        Job second = Job.queued(JobId.random(), "alice", "b", "second", t0.plusSeconds(1));
        String token;
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(first, Optional.of(new IdempotencyKey("k", "fp")));
            store.create(second, Optional.empty());
            store.update(second.failed(Failure.of(FailureCode.BUILD_FAILED, "no"), t0.plusSeconds(2)),
                    EnumSet.of(JobStatus.QUEUED));
            token = store.list("alice", Optional.empty(), 1, Optional.empty()).nextToken().orElseThrow();
        }
        assertThat(dataDir.resolve(SqliteJobStore.FILE_NAME)).isRegularFile();

        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.find(first.id())).contains(first);
            assertThat(store.find(second.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
            JobStore.CreateResult retry = store.create(Job.queued(JobId.random(), "alice", "a", "first", t0.plusSeconds(9)),
                    Optional.of(new IdempotencyKey("k", "fp")));
            assertThat(retry.created()).isFalse();
            assertThat(retry.job()).isEqualTo(first);
            assertThat(store.list("alice", Optional.empty(), 1, Optional.of(token)).jobs()).containsExactly(first);
        }
    }

    @Test
    void instantsKeepNanosecondsAndAbsentFieldsStayAbsent() {
        Instant nanos = Instant.parse("2026-12-31T23:59:59.000000001Z");
        Job bare = new Job(JobId.random(), "bob", null, null, JobStatus.QUEUED, null, null, nanos, nanos.plusNanos(1),
                new StageTimes(null, null, null, null, null), null);
        Job succeeded = Job.queued(JobId.random(), "bob", "n", "d", nanos).succeeded(-0.0, nanos.plusNanos(999));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(bare, Optional.empty());
            store.create(succeeded, Optional.empty());
        }
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.find(bare.id())).contains(bare);
            Job stored = store.find(succeeded.id()).orElseThrow();
            assertThat(stored).isEqualTo(succeeded);
            assertThat(stored.stages().finishedAt()).isEqualTo(nanos.plusNanos(999));
            assertThat(Double.doubleToRawLongBits(stored.performance())).isEqualTo(Double.doubleToRawLongBits(-0.0));
        }
    }

    @Test
    void fileIsInWalModeWithTheCurrentSchemaVersion() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            assertThat(single(st, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(single(st, "PRAGMA user_version")).isEqualTo(Integer.toString(SqliteJobStore.SCHEMA_VERSION));
            assertThat(single(st, "PRAGMA integrity_check")).isEqualTo("ok");
        }
    }

    @Test
    void fileWithANewerSchemaIsRefused() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version=" + (SqliteJobStore.SCHEMA_VERSION + 1));
        }
        assertThatThrownBy(() -> SqliteJobStore.open(dataDir))
                .isInstanceOf(SqliteStoreException.class)
                .hasMessageContaining("newer");
    }

    @Test
    void listingUsesTheOwnerIndexesWithoutSortingOrOffset() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (boolean byStatus : List.of(false, true)) {
                for (boolean after : List.of(false, true)) {
                    String sql = SqliteJobStore.listSql(byStatus, after);
                    assertThat(sql).doesNotContainIgnoringCase("offset");
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "'x'").replace("LIMIT 'x'", "LIMIT 51"))) {
                        while (rs.next()) {
                            plan.append(rs.getString("detail")).append('\n');
                        }
                    }
                    assertThat(plan.toString())
                            .contains("SEARCH jobs USING INDEX " + (byStatus ? "jobs_by_owner_status" : "jobs_by_owner") + " (")
                            .doesNotContain("TEMP B-TREE")
                            .doesNotContain("SCAN");
                }
            }
        }
    }

    @Test
    void quotaCountsAreCountQueriesOverAnIndex() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String sql : List.of(SqliteJobStore.COUNT_ACTIVE_SQL, SqliteJobStore.SUBMISSIONS_SQL)) {
                assertThat(sql).startsWith("SELECT COUNT(*)");
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "'x'"))) {
                    while (rs.next()) {
                        plan.append(rs.getString("detail")).append('\n');
                    }
                }
                assertThat(plan.toString()).as(sql).containsPattern("SEARCH (jobs|submissions) USING COVERING INDEX")
                        .doesNotContain("SCAN").doesNotContain("TEMP B-TREE");
            }
        }
    }

    @Test
    void theJobsOfASchemaWithoutSubmissionsBecomeItsSubmissions() throws SQLException {
        Job counted = Job.queued(JobId.random(), "alice", "a", "counted", t0);
        Job internal = Job.queued(JobId.random(), "alice", "b", "internal", t0.plusSeconds(1));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(counted, Optional.empty());
            store.create(internal, Optional.empty());
            store.update(internal.failed(Failure.of(FailureCode.INTERNAL, "bug"), t0.plusSeconds(2)),
                    EnumSet.of(JobStatus.QUEUED));
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // Back to schema 2: no submissions (3), no metrics (4).
            st.execute("DROP TABLE submissions");
            st.execute("DROP TABLE job_metrics");
            st.execute("ALTER TABLE jobs DROP COLUMN metrics");
            st.execute("PRAGMA user_version=2");
        }
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.submissionsSince("alice", t0.minusSeconds(1)))
                    .isEqualTo(new TenantUsage.Submissions(1, Optional.of(t0)));
        }
    }

    @Test
    void theJobsOfASchemaWithoutReceiptsStillAnswerWithoutOne() throws SQLException {
        Job old = Job.queued(JobId.random(), "alice", "old", null, t0);
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(old, Optional.empty());
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // Back to schema 4: no receipt column (5).
            st.execute("ALTER TABLE jobs DROP COLUMN receipt");
            st.execute("PRAGMA user_version=4");
        }
        RunReceipt receipt = RunReceipt.submitted(new Dockerfile("FROM debian:bookworm\n"), "0.1.0");
        Job fresh = Job.queued(JobId.random(), "alice", "new", null, t0.plusSeconds(1)).withReceipt(receipt);
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.find(old.id())).contains(old);
            assertThat(store.find(old.id()).orElseThrow().receipt()).isNull();
            store.create(fresh, Optional.empty());
            assertThat(store.find(fresh.id()).orElseThrow().receipt()).isEqualTo(receipt);
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            assertThat(single(st, "PRAGMA user_version")).isEqualTo(Integer.toString(SqliteJobStore.SCHEMA_VERSION));
        }
    }

    @Test
    void aSchemaFiveDatabaseMigratesAndItsJobsReadAsOneRun() throws SQLException {
        Job succeeded = Job.queued(JobId.random(), "alice", "old", null, t0).advancedTo(JobStatus.RUNNING, t0)
                .succeeded(0.75, Map.of("loss", 0.5), t0.plusSeconds(1));
        Job queued = Job.queued(JobId.random(), "alice", "waiting", null, t0.plusSeconds(2));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(succeeded, Optional.empty());
            store.create(queued, Optional.empty());
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // Back to schema 5: no runs column (6), as a database of the perfbox before repeated runs.
            st.execute("ALTER TABLE jobs DROP COLUMN runs");
            st.execute("PRAGMA user_version=5");
        }
        Job three = Job.queued(JobId.random(), "alice", "new", null, 3, t0.plusSeconds(3));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            Job old = store.find(succeeded.id()).orElseThrow();
            assertThat(old).isEqualTo(succeeded);
            assertThat(old.runs().requested()).isEqualTo(1);
            assertThat(old.runs().completed()).containsExactly(
                    new Runs.Run(1, 0.75, Map.of("loss", 0.5), null));
            assertThat(store.find(queued.id()).orElseThrow().runs()).isEqualTo(Runs.SINGLE);
            assertThat(store.ranked("alice", "performance", RankOrder.DESC, 10))
                    .containsExactly(succeeded);
            store.create(three, Optional.empty());
            assertThat(store.find(three.id())).contains(three);
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            assertThat(single(st, "PRAGMA user_version")).isEqualTo(Integer.toString(SqliteJobStore.SCHEMA_VERSION));
            assertThat(single(st, "SELECT runs FROM jobs WHERE id = '" + three.id().value() + "'"))
                    .isEqualTo("{\"requested\":3,\"completed\":[]}");
        }
    }

    @Test
    void anUnreadableReceiptIsNoReceiptAndTheJobStillAnswers() throws SQLException {
        Job job = Job.queued(JobId.random(), "alice", "j", null, t0);
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(job, Optional.empty());
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE jobs SET receipt = '{not json' WHERE id = '" + job.id().value() + "'");
        }
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.find(job.id())).contains(job);
            assertThat(store.list("alice", Optional.empty(), 10, Optional.empty()).jobs())
                    .contains(job);
        }
    }

    @Test
    void duplicateJobIdIsRefusedAndLeavesNoIdempotencyRecord() {
        Job job = Job.queued(JobId.random(), "carol", null, null, t0);
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(job, Optional.empty());
            Job sameId = Job.queued(job.id(), "carol", "other", null, t0.plusSeconds(1));
            assertThatThrownBy(() -> store.create(sameId, Optional.of(new IdempotencyKey("k", "fp"))))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(store.find(job.id())).contains(job);
            // The rolled-back record does not point "k" at the existing job.
            Job fresh = Job.queued(JobId.random(), "carol", null, null, t0.plusSeconds(2));
            assertThat(store.create(fresh, Optional.of(new IdempotencyKey("k", "fp"))).created()).isTrue();
        }
    }

    @Test
    void closedStoreRefusesCalls() {
        SqliteJobStore store = SqliteJobStore.open(dataDir);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.find(JobId.random())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.create(Job.queued(JobId.random(), "d", null, null, t0), Optional.empty()))
                .isInstanceOf(IllegalStateException.class);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteJobStore.FILE_NAME));
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
