package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leaderboard's SQLite side: its queries walk an index, and the migration ranks the jobs already stored. */
class SqliteLeaderboardTest {
    @TempDir
    Path dataDir;

    private final Instant t0 = Instant.parse("2026-05-06T07:08:09Z");

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteJobStore.FILE_NAME));
    }

    private static String plan(Statement st, String sql) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "'x'"))) {
            while (rs.next()) {
                plan.append(rs.getString("detail")).append('\n');
            }
        }
        return plan.toString();
    }

    @Test
    void leaderboardAndHistoryWalkAnIndexAndLookUpEachJobByItsKeyWithoutSorting() throws SQLException {
        SqliteJobStore.open(dataDir).close();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (RankOrder order : RankOrder.values()) {
                String sql = SqliteJobStore.rankedSql(order);
                assertThat(sql).doesNotContainIgnoringCase("offset");
                assertThat(plan(st, sql))
                        .contains("SEARCH m USING COVERING INDEX job_metrics_by_value" + (order == RankOrder.DESC ? "_desc" : "") + " (")
                        .contains("SEARCH j USING INDEX sqlite_autoindex_jobs_1 (id=?)")
                        .doesNotContain("TEMP B-TREE")
                        .doesNotContain("SCAN");
            }
            assertThat(plan(st, SqliteJobStore.HISTORY_SQL))
                    .contains("SEARCH m USING COVERING INDEX job_metrics_by_time (")
                    .doesNotContain("TEMP B-TREE")
                    .doesNotContain("SCAN");
        }
    }

    @Test
    void migratingFromTheSchemaBeforeMetricsRanksTheSucceededJobsAlreadyStored() throws SQLException {
        Job succeeded = Job.queued(JobId.random(), "alice", "a", null, t0).succeeded(0.7, t0.plusSeconds(1));
        Job better = Job.queued(JobId.random(), "alice", "b", null, t0.plusSeconds(2)).succeeded(0.9, t0.plusSeconds(3));
        Job queued = Job.queued(JobId.random(), "alice", "c", null, t0.plusSeconds(4));
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            store.create(succeeded, Optional.empty());
            store.create(better, Optional.empty());
            store.create(queued, Optional.empty());
        }
        // Back to the schema of the version before: no metrics column, no job_metrics.
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE job_metrics");
            st.execute("ALTER TABLE jobs DROP COLUMN metrics");
            st.execute("PRAGMA user_version=" + (SqliteJobStore.METRICS_SCHEMA_VERSION - 1));
        }
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            assertThat(store.ranked("alice", Metrics.PERFORMANCE, RankOrder.DESC, 10)).containsExactly(better, succeeded);
            assertThat(store.history("alice", Metrics.PERFORMANCE, 10)).containsExactly(succeeded, better);
            assertThat(store.find(queued.id())).contains(queued);
            // And jobs from then on are ranked by their metrics too.
            Job next = queued.advancedTo(JobStatus.RUNNING, t0.plusSeconds(5)).succeeded(0.1, Map.of("loss", 0.3), t0.plusSeconds(6));
            assertThat(store.update(next, EnumSet.of(JobStatus.QUEUED))).isTrue();
            assertThat(store.ranked("alice", "loss", RankOrder.ASC, 10)).containsExactly(next);
        }
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    @Test
    void aJobCreatedSucceededIsRankedAndADeleteTakesItsRowsWithIt() throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (SqliteJobStore store = SqliteJobStore.open(dataDir)) {
            for (int i = 0; i < 3; i++) {
                Job job = Job.queued(JobId.random(), "bob", "j" + i, null, t0.plusSeconds(i))
                        .succeeded(i, Map.of("a", (double) -i, "b", 1.0), t0.plusSeconds(i + 1));
                store.create(job, Optional.empty());
                jobs.add(job);
            }
            assertThat(store.ranked("bob", "a", RankOrder.DESC, 2)).containsExactly(jobs.get(0), jobs.get(1));
            assertThat(store.delete(jobs.get(0).id())).isTrue();
            assertThat(store.ranked("bob", "a", RankOrder.DESC, 2)).containsExactly(jobs.get(1), jobs.get(2));
        }
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM job_metrics")) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows of the two jobs left: performance, a, b each").isEqualTo(6);
        }
    }
}
