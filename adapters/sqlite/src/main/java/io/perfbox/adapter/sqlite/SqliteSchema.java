package io.perfbox.adapter.sqlite;

import io.perfbox.core.domain.Metrics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/** The job store's schema: each version's migration, applied in one transaction when a store opens the file. */
final class SqliteSchema {
    /** The schema this code reads and writes ({@code PRAGMA user_version}). */
    static final int SCHEMA_VERSION = 7;
    /** The version {@link #addMetrics} brings the schema to (the submissions table is version 3). */
    static final int METRICS_SCHEMA_VERSION = 4;

    private SqliteSchema() {
    }

    /** Brings the schema to {@link #SCHEMA_VERSION}; returns the version the file had (0: a new file). */
    static int migrate(Connection c, Path file) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                int version;
                try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                if (version > SCHEMA_VERSION) {
                    throw new SqliteStoreException(file + " has schema version " + version
                            + ", newer than this code's " + SCHEMA_VERSION, null);
                }
                if (version < 1) {
                    st.execute("""
                            CREATE TABLE jobs (
                              id               TEXT PRIMARY KEY NOT NULL,
                              owner            TEXT NOT NULL,
                              created_key      TEXT NOT NULL,
                              status           TEXT NOT NULL,
                              name             TEXT,
                              description      TEXT,
                              failure_code     TEXT,
                              failure_message  TEXT,
                              performance,     -- no type: REAL affinity would store -0.0 as the integer 0
                              created_at       TEXT NOT NULL,
                              updated_at       TEXT NOT NULL,
                              queued_at        TEXT,
                              build_started_at TEXT,
                              scan_started_at  TEXT,
                              run_started_at   TEXT,
                              finished_at      TEXT,
                              vulnerabilities  TEXT
                            )""");
                    st.execute("CREATE INDEX jobs_by_owner ON jobs (owner, created_key DESC)");
                    st.execute("CREATE INDEX jobs_by_owner_status ON jobs (owner, status, created_key DESC)");
                    st.execute("CREATE INDEX jobs_by_status ON jobs (status)");
                    // No foreign key to jobs: a record outlives its job, so that a retry with another request
                    // under the same key is still a conflict; a record whose job is gone frees the key (see create).
                    st.execute("""
                            CREATE TABLE idempotency_keys (
                              owner       TEXT NOT NULL,
                              key         TEXT NOT NULL,
                              job_id      TEXT NOT NULL,
                              fingerprint TEXT NOT NULL,
                              PRIMARY KEY (owner, key)
                            ) WITHOUT ROWID""");
                    // Named settings of the store. (Files of earlier versions hold a page_token_secret, unused
                    // since page tokens became plain positions.)
                    st.execute("CREATE TABLE settings (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID");
                }
                if (version < 2) {
                    // A JSON array of strings; NULL for none (rows of version 1 have none).
                    st.execute("ALTER TABLE jobs ADD COLUMN warnings TEXT");
                }
                if (version < 3) {
                    // Submissions for the daily quota; no foreign key to jobs: a submission outlives its job.
                    st.execute("""
                            CREATE TABLE submissions (
                              job_id       TEXT PRIMARY KEY NOT NULL,
                              owner        TEXT NOT NULL,
                              submitted_at TEXT NOT NULL, -- fixed width (as created_key): string order is time order
                              counts       INTEGER NOT NULL
                            ) WITHOUT ROWID""");
                    st.execute("CREATE INDEX submissions_by_owner ON submissions (owner, counts, submitted_at)");
                    st.execute("CREATE INDEX submissions_by_time ON submissions (submitted_at)");
                    // The jobs of an earlier version are its submissions (the next create prunes the old ones).
                    st.execute("INSERT INTO submissions (job_id, owner, submitted_at, counts) SELECT id, owner,"
                            + " substr(created_key, 1, instr(created_key, '#') - 1), CASE WHEN status = 'FAILED' AND"
                            + " failure_code IN (" + JobRows.PLATFORM_FAULTS + ") THEN 0 ELSE 1 END FROM jobs");
                }
                if (version < METRICS_SCHEMA_VERSION) {
                    addMetrics(st);
                }
                if (version < 5) {
                    // The job's run receipt, a JSON object (RunReceipt's codec); NULL for the jobs of earlier versions,
                    // which have none (and answer without one).
                    if (!hasColumn(st, "jobs", "receipt")) {
                        st.execute("ALTER TABLE jobs ADD COLUMN receipt TEXT");
                    }
                }
                if (version < 6) {
                    // The job's runs (Runs' JSON codec: how many were asked for, each completed run's value and
                    // duration); NULL for the jobs of earlier versions, which ran once (Job reads them so).
                    if (!hasColumn(st, "jobs", "runs")) {
                        st.execute("ALTER TABLE jobs ADD COLUMN runs TEXT");
                    }
                }
                if (version < 7) {
                    addRetention(c, st);
                }
                // Later migrations: if (version < 8) { ... }
                st.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                st.execute("COMMIT");
                return version;
            } catch (SQLException | RuntimeException e) {
                SqliteConnections.rollbackQuietly(c);
                throw e;
            }
        }
    }

    /**
     * What the retention ({@code serve --retain-days}) looks up: when each finished job finished
     * ({@code jobs.finished_key}, see {@link JobRows#finishedKey}) over a partial index of the finished jobs, and when
     * each idempotency record was made ({@code idempotency_keys.made_at}, fixed width): its job's submission time, or
     * for a record whose job is gone already, the time of this migration (it expires a retention after it).
     */
    private static void addRetention(Connection c, Statement st) throws SQLException {
        if (!hasColumn(st, "jobs", "finished_key")) {
            st.execute("ALTER TABLE jobs ADD COLUMN finished_key TEXT");
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE jobs SET finished_key = ? WHERE id = ?");
             Statement query = c.createStatement();
             ResultSet rs = query.executeQuery("SELECT id, finished_at, updated_at FROM jobs"
                     + " WHERE status NOT IN (" + JobRows.ACTIVE_STATUSES + ")")) {
            while (rs.next()) {
                String finished = rs.getString("finished_at");
                update.setString(1, JobRows.SORTABLE.format(Instant.parse(finished != null ? finished : rs.getString("updated_at"))));
                update.setString(2, rs.getString("id"));
                update.addBatch();
            }
            update.executeBatch();
        }
        st.execute("CREATE INDEX IF NOT EXISTS jobs_by_finished ON jobs (finished_key, id) WHERE finished_key IS NOT NULL");
        if (!hasColumn(st, "idempotency_keys", "made_at")) {
            st.execute("ALTER TABLE idempotency_keys ADD COLUMN made_at TEXT");
        }
        st.execute("UPDATE idempotency_keys SET made_at = (SELECT substr(j.created_key, 1, instr(j.created_key, '#') - 1)"
                + " FROM jobs j WHERE j.id = idempotency_keys.job_id) WHERE made_at IS NULL");
        try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_keys SET made_at = ? WHERE made_at IS NULL")) {
            ps.setString(1, JobRows.SORTABLE.format(Instant.now()));
            ps.executeUpdate();
        }
        st.execute("CREATE INDEX IF NOT EXISTS idempotency_keys_by_time ON idempotency_keys (made_at)");
    }

    private static boolean hasColumn(Statement st, String table, String column) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The metrics of each job ({@code jobs.metrics}, a JSON object of names to numbers; NULL for none) and the
     * leaderboard's {@code job_metrics} (see the class comment), filled for the SUCCEEDED jobs already stored from
     * their performance (jobs of earlier versions have no other metrics). It touches only what it creates.
     */
    private static void addMetrics(Statement st) throws SQLException {
        st.execute("ALTER TABLE jobs ADD COLUMN metrics TEXT");
        st.execute("""
                CREATE TABLE job_metrics (
                  job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                  owner       TEXT NOT NULL,
                  name        TEXT NOT NULL,
                  value       NOT NULL, -- no type, as jobs.performance
                  created_key TEXT NOT NULL, -- the job's: equal values rank the earlier submission first
                  PRIMARY KEY (job_id, name)
                ) WITHOUT ROWID""");
        // Two value indexes: each direction ranks ties by created_key ascending, which one index read backwards cannot.
        st.execute("CREATE INDEX job_metrics_by_value ON job_metrics (owner, name, value, created_key)");
        st.execute("CREATE INDEX job_metrics_by_value_desc ON job_metrics (owner, name, value DESC, created_key)");
        st.execute("CREATE INDEX job_metrics_by_time ON job_metrics (owner, name, created_key)");
        st.execute("INSERT INTO job_metrics (job_id, owner, name, value, created_key) SELECT id, owner, '"
                + Metrics.PERFORMANCE + "', performance, created_key FROM jobs WHERE status = 'SUCCEEDED'"
                + " AND performance IS NOT NULL");
    }
}
