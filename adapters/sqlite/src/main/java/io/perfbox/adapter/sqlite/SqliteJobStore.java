package io.perfbox.adapter.sqlite;

import static io.perfbox.adapter.sqlite.JobRows.bindAll;
import static io.perfbox.adapter.sqlite.JobRows.bindFields;
import static io.perfbox.adapter.sqlite.JobRows.createdKey;
import static io.perfbox.adapter.sqlite.JobRows.fromRow;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.PagePosition;
import io.perfbox.core.port.TenantUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link JobStore} in one SQLite file, {@code <dataDir>/perfbox.db}.
 *
 * <p>Durability: the file is in WAL mode with {@code synchronous=NORMAL}. A transaction is committed once its
 * frames are in the WAL file, so killing the process (even {@code kill -9}) right after a call returned loses
 * nothing; only an OS crash or power loss can lose the last transactions before a checkpoint (never corrupt the
 * file). {@code FULL} would fsync on every commit, which a job store whose jobs the recovery after a restart can
 * resubmit does not need.
 *
 * <p>Concurrency: SQLite has one writer, so every write goes through one connection guarded by a lock (and starts
 * its transactions with {@code BEGIN IMMEDIATE}, so another process writing the same file waits for the busy
 * timeout instead of failing half-way). Reads use a small pool of their own connections; under WAL they neither
 * block nor are blocked by the writer, and each read is one statement, i.e. one consistent snapshot that includes
 * every transaction committed before it started.
 *
 * <p>Listing is keyset pagination on {@code created_key} (fixed-width createdAt, '#', id): a page costs the same
 * however many jobs the owner has. The page token carries the last created_key and a MAC over owner and key with a
 * secret kept in the database, so a token that was altered, belongs to another owner or comes from another database
 * is rejected.
 *
 * <p>{@link TenantUsage}: a row in {@code submissions} is written in the same transaction as its job, and outlives
 * it (a delete removes the job only); the write that fails a job with a platform fault marks its submission as not
 * counting in the same transaction. Both counts are {@code COUNT} queries over an index: jobs under way over
 * {@code jobs_by_owner_status}, submissions over {@code submissions_by_owner}, which holds at most
 * {@link TenantUsage#RETENTION} of them (each create prunes the older ones).
 * <p>The leaderboard: {@code job_metrics} holds one row per SUCCEEDED job and value it can be ranked by (its
 * performance, named {@code performance}, and each of its metrics), written in the same transaction as the job.
 * A leaderboard is a walk down {@code job_metrics_by_value} (or {@code _desc}) from the owner's and metric's first
 * entry, joined to each job by its key, that stops after {@code limit} rows: it costs the same however many jobs the
 * owner has (no sort, no scan of the owner's jobs); the history walks {@code job_metrics_by_time} the same way.
 *
 * <p>Its parts, one per concern: {@link SqliteSchema} (the migrations), {@link SqliteConnections} (the writer, the
 * readers, transactions) and {@link JobRows} (a job as a row); page tokens are {@link PagePosition}s.
 */
public final class SqliteJobStore implements JobStore, TenantUsage, ExpiredJobs, AutoCloseable {
    /** The file inside the data directory. */
    public static final String FILE_NAME = "perfbox.db";
    /** The schema this code reads and writes ({@code PRAGMA user_version}). */
    static final int SCHEMA_VERSION = SqliteSchema.SCHEMA_VERSION;
    /** The version the metrics migration brings the schema to (the submissions table is version 3). */
    static final int METRICS_SCHEMA_VERSION = SqliteSchema.METRICS_SCHEMA_VERSION;
    static final int DEFAULT_READERS = 4;

    private static final DateTimeFormatter SORTABLE = JobRows.SORTABLE;
    private static final String COLUMNS = JobRows.COLUMNS;
    private static final String JOINED_COLUMNS = JobRows.JOINED_COLUMNS;
    private static final String ACTIVE_STATUSES = JobRows.ACTIVE_STATUSES;
    static final String COUNT_ACTIVE_SQL = "SELECT COUNT(*) FROM jobs INDEXED BY jobs_by_owner_status"
            + " WHERE owner = ? AND status IN (" + ACTIVE_STATUSES + ")";
    static final String SUBMISSIONS_SQL = "SELECT COUNT(*), MIN(submitted_at) FROM submissions INDEXED BY"
            + " submissions_by_owner WHERE owner = ? AND counts = 1 AND submitted_at >= ?";

    private final Path file;
    private final SqliteConnections connections;

    private SqliteJobStore(Path file, SqliteConnections connections) {
        this.file = file;
        this.connections = connections;
    }

    /** Opens (creating if needed) {@code <dataDir>/perfbox.db}, migrating its schema to the current version. */
    public static SqliteJobStore open(Path dataDir) {
        return open(dataDir, DEFAULT_READERS);
    }

    /** As {@link #open(Path)} with {@code readConnections} connections for reads (at least 1). */
    public static SqliteJobStore open(Path dataDir, int readConnections) {
        if (readConnections < 1) {
            throw new IllegalArgumentException("readConnections must be at least 1");
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        Path file = dataDir.resolve(FILE_NAME);
        SqliteConnections.Opened<Integer> opened = SqliteConnections.open(file, readConnections,
                writer -> SqliteSchema.migrate(writer, file));
        return new SqliteJobStore(file, opened.connections());
    }

    private <T> T write(SqliteConnections.Sql<T> work, boolean transaction) {
        return connections.write(work, transaction);
    }

    private <T> T read(SqliteConnections.Sql<T> work) {
        return connections.read(work);
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    // --- JobStore ---

    @Override
    public CreateResult create(Job job, Optional<IdempotencyKey> idempotencyKey) {
        return write(c -> {
            if (idempotencyKey.isPresent()) {
                IdempotencyKey key = idempotencyKey.get();
                Optional<Job> earlier = earlierJobFor(c, job.owner(), key);
                if (earlier.isPresent()) {
                    return new CreateResult(earlier.get(), false);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT OR REPLACE INTO idempotency_keys (owner, key, job_id, fingerprint, made_at) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, job.owner());
                    ps.setString(2, key.key());
                    ps.setString(3, job.id().value());
                    ps.setString(4, key.requestFingerprint());
                    ps.setString(5, SORTABLE.format(job.createdAt()));
                    ps.executeUpdate();
                }
            }
            if (findIn(c, job.id()).isPresent()) {
                throw new IllegalStateException("job " + job.id() + " exists already");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (" + COLUMNS + ") VALUES ("
                    + "?, ".repeat(21) + "?)")) {
                bindAll(ps, job);
                ps.executeUpdate();
            }
            recordSubmission(c, job);
            rank(c, job);
            return new CreateResult(job, true);
        }, true);
    }

    /** The job's submission, in its create's transaction; submissions past the retention are pruned meanwhile. */
    private static void recordSubmission(Connection c, Job job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM submissions INDEXED BY submissions_by_time"
                + " WHERE submitted_at < ?")) {
            ps.setString(1, SORTABLE.format(job.createdAt().minus(RETENTION)));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO submissions (job_id, owner, submitted_at, counts) VALUES (?, ?, ?, 1)")) {
            ps.setString(1, job.id().value());
            ps.setString(2, job.owner());
            ps.setString(3, SORTABLE.format(job.createdAt()));
            ps.executeUpdate();
        }
    }

    /**
     * The job an earlier create under the same owner and key stored, or empty when the key is unused or that job
     * was deleted (the key is free again). A different fingerprint is a conflict even then, as in DynamoDbJobStore.
     */
    private static Optional<Job> earlierJobFor(Connection c, String owner, IdempotencyKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT job_id, fingerprint FROM idempotency_keys WHERE owner = ? AND key = ?")) {
            ps.setString(1, owner);
            ps.setString(2, key.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!rs.getString("fingerprint").equals(key.requestFingerprint())) {
                    throw new IdempotencyConflictException(key.key());
                }
                return findIn(c, new JobId(rs.getString("job_id")));
            }
        }
    }

    @Override
    public Optional<Job> find(JobId id) {
        return read(c -> findIn(c, id));
    }

    private static Optional<Job> findIn(Connection c, JobId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(fromRow(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public boolean update(Job updated, Set<JobStatus> expected) {
        if (expected.isEmpty()) {
            return false;
        }
        // One statement: the status check and the write cannot be separated by another writer.
        String sql = "UPDATE jobs SET owner = ?, created_key = ?, status = ?, name = ?, description = ?, "
                + "failure_code = ?, failure_message = ?, performance = ?, created_at = ?, updated_at = ?, "
                + "queued_at = ?, build_started_at = ?, scan_started_at = ?, run_started_at = ?, finished_at = ?, "
                + "vulnerabilities = ?, warnings = ?, metrics = ?, receipt = ?, runs = ?, finished_key = ? WHERE id = ? AND status IN (" + String.join(", ", Collections.nCopies(expected.size(), "?")) + ")";
        // Only a write into or out of SUCCEEDED changes what the leaderboard holds (then in one transaction with it).
        boolean ranking = updated.status() == JobStatus.SUCCEEDED || expected.contains(JobStatus.SUCCEEDED);
        boolean platformFault = updated.failedThroughPlatformFault();
        return write(c -> {
            boolean written;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = bindFields(ps, 1, updated);
                ps.setString(i++, updated.id().value());
                for (JobStatus s : expected) {
                    ps.setString(i++, s.name());
                }
                written = ps.executeUpdate() == 1;
            }
            if (written && platformFault) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE submissions SET counts = 0 WHERE job_id = ?")) {
                    ps.setString(1, updated.id().value());
                    ps.executeUpdate();
                }
            }
            if (written && ranking) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM job_metrics WHERE job_id = ?")) {
                    ps.setString(1, updated.id().value());
                    ps.executeUpdate();
                }
                rank(c, updated);
            }
            return written;
        }, platformFault || ranking);
    }

    // --- TenantUsage ---

    @Override
    public int countActive(String owner) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(COUNT_ACTIVE_SQL)) {
                ps.setString(1, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public Submissions submissionsSince(String owner, Instant since) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SUBMISSIONS_SQL)) {
                ps.setString(1, owner);
                ps.setString(2, SORTABLE.format(since));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String oldest = rs.getString(2);
                    return new Submissions(rs.getInt(1),
                            oldest == null ? Optional.empty() : Optional.of(Instant.from(SORTABLE.parse(oldest))));
                }
            }
        });
    }

    @Override
    public JobPage list(String owner, Optional<JobStatus> status, int limit, Optional<String> pageToken) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        Optional<String> after = pageToken.map(t -> PagePosition.parse(t).sortKey());
        String sql = listSql(status.isPresent(), after.isPresent());
        List<Job> rows = read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, owner);
                if (status.isPresent()) {
                    ps.setString(i++, status.get().name());
                }
                if (after.isPresent()) {
                    ps.setString(i++, after.get());
                }
                // One row more than the page tells whether another page exists, so the last page has no token.
                ps.setInt(i, limit + 1);
                List<Job> out = new ArrayList<>(Math.min(limit + 1, 1_000));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(fromRow(rs));
                    }
                }
                return out;
            }
        });
        if (rows.size() <= limit) {
            return new JobPage(rows, Optional.empty());
        }
        List<Job> page = rows.subList(0, limit);
        return new JobPage(page, Optional.of(PagePosition.after(page.get(limit - 1)).token()));
    }

    /** The listing query: served in index order by jobs_by_owner or jobs_by_owner_status, never sorted, no OFFSET. */
    static String listSql(boolean byStatus, boolean afterCursor) {
        return "SELECT " + COLUMNS + " FROM jobs INDEXED BY " + (byStatus ? "jobs_by_owner_status" : "jobs_by_owner")
                + " WHERE owner = ?" + (byStatus ? " AND status = ?" : "") + (afterCursor ? " AND created_key < ?" : "")
                + " ORDER BY created_key DESC LIMIT ?";
    }

    @Override
    public List<Job> ranked(String owner, String metric, RankOrder order, int limit) {
        return walk(rankedSql(order), owner, metric, limit);
    }

    @Override
    public List<Job> history(String owner, String metric, int limit) {
        return walk(HISTORY_SQL, owner, metric, limit).reversed();
    }

    /** The leaderboard's query: served in index order by job_metrics_by_value(_desc), never sorted, no OFFSET. */
    static String rankedSql(RankOrder order) {
        boolean desc = order == RankOrder.DESC;
        return "SELECT " + JOINED_COLUMNS + " FROM job_metrics m INDEXED BY job_metrics_by_value" + (desc ? "_desc" : "")
                + " JOIN jobs j ON j.id = m.job_id WHERE m.owner = ? AND m.name = ? ORDER BY m.value"
                + (desc ? " DESC" : "") + ", m.created_key LIMIT ?";
    }

    /** The history's query, newest first (reversed after), in index order by job_metrics_by_time. */
    static final String HISTORY_SQL = "SELECT " + JOINED_COLUMNS + " FROM job_metrics m INDEXED BY job_metrics_by_time"
            + " JOIN jobs j ON j.id = m.job_id WHERE m.owner = ? AND m.name = ? ORDER BY m.created_key DESC LIMIT ?";

    private List<Job> walk(String sql, String owner, String metric, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, owner);
                ps.setString(2, metric);
                ps.setInt(3, limit);
                List<Job> out = new ArrayList<>(Math.min(limit, 1_000));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(fromRow(rs));
                    }
                }
                return out;
            }
        });
    }

    /** The leaderboard's rows of a SUCCEEDED job: its performance and each metric (none for any other status). */
    private static void rank(Connection c, Job job) throws SQLException {
        if (job.status() != JobStatus.SUCCEEDED) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO job_metrics (job_id, owner, name, value, created_key) VALUES (?, ?, ?, ?, ?)")) {
            String createdKey = createdKey(job);
            List<Map.Entry<String, Double>> values = new ArrayList<>(job.metrics().entrySet());
            if (job.performance() != null) {
                values.add(Map.entry(Metrics.PERFORMANCE, job.performance()));
            }
            for (Map.Entry<String, Double> v : values) {
                ps.setString(1, job.id().value());
                ps.setString(2, job.owner());
                ps.setString(3, v.getKey());
                ps.setDouble(4, v.getValue());
                ps.setString(5, createdKey);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<Job> findUnfinished() {
        return read(c -> {
            List<Job> out = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM jobs WHERE status IN (" + ACTIVE_STATUSES + ")")) {
                while (rs.next()) {
                    out.add(fromRow(rs));
                }
            }
            return out;
        });
    }

    @Override
    public boolean delete(JobId id) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE id = ?")) {
                ps.setString(1, id.value());
                return ps.executeUpdate() == 1;
            }
        }, false);
    }

    // --- ExpiredJobs ---

    /** The retention's query: the finished jobs in the order of jobs_by_finished (a partial index of them). */
    static final String FINISHED_BEFORE_SQL = "SELECT " + COLUMNS + " FROM jobs INDEXED BY jobs_by_finished"
            + " WHERE finished_key IS NOT NULL AND finished_key < ? AND status NOT IN (" + ACTIVE_STATUSES + ")"
            + " ORDER BY finished_key, id LIMIT ?";

    @Override
    public List<Job> finishedBefore(Instant cutoff, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(FINISHED_BEFORE_SQL)) {
                ps.setString(1, SORTABLE.format(cutoff));
                ps.setInt(2, limit);
                List<Job> out = new ArrayList<>(Math.min(limit, 1_000));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(fromRow(rs));
                    }
                }
                return out;
            }
        });
    }

    /** One statement: the check that the job is finished and old enough and the delete cannot be separated. */
    @Override
    public boolean removeFinished(JobId id, Instant cutoff) {
        return write(c -> {
            // job_metrics rows go with it (ON DELETE CASCADE); its submission stays (see TenantUsage).
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE id = ? AND finished_key IS NOT NULL"
                    + " AND finished_key < ? AND status NOT IN (" + ACTIVE_STATUSES + ")")) {
                ps.setString(1, id.value());
                ps.setString(2, SORTABLE.format(cutoff));
                return ps.executeUpdate() == 1;
            }
        }, false);
    }

    @Override
    public int forgetIdempotencyKeysBefore(Instant cutoff) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys INDEXED BY idempotency_keys_by_time"
                    + " WHERE made_at < ?")) {
                ps.setString(1, SORTABLE.format(cutoff));
                return ps.executeUpdate();
            }
        }, false);
    }

    /** Closes every connection; calls made afterwards fail with IllegalStateException. */
    @Override
    public void close() {
        connections.close();
    }
}
