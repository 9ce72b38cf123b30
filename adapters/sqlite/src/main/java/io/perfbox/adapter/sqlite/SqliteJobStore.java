package io.perfbox.adapter.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.domain.StageTimes;
import io.perfbox.core.domain.VulnerabilityCounts;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.TenantUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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
 */
public final class SqliteJobStore implements JobStore, TenantUsage, AutoCloseable {
    /** The file inside the data directory. */
    public static final String FILE_NAME = "perfbox.db";
    /** The schema this code reads and writes ({@code PRAGMA user_version}). */
    static final int SCHEMA_VERSION = 6;
    /** The version {@link #addMetrics} brings the schema to (the submissions table is version 3). */
    static final int METRICS_SCHEMA_VERSION = 4;
    static final int DEFAULT_READERS = 4;
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fixed width so that string order is time order (as DynamoDbJobStore's created key). */
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern CREATED_KEY = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}Z#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    private static final String COLUMNS = "id, owner, created_key, status, name, description, failure_code, "
            + "failure_message, performance, created_at, updated_at, queued_at, build_started_at, scan_started_at, "
            + "run_started_at, finished_at, vulnerabilities, warnings, metrics, receipt, runs";
    /** {@link #COLUMNS} of the job {@code j} in a join, under their own names (for {@link #fromRow}). */
    private static final String JOINED_COLUMNS = java.util.Arrays.stream(COLUMNS.split(", "))
            .map(c -> "j." + c + " AS " + c).collect(Collectors.joining(", "));
    private static final String ACTIVE_STATUSES = JobStatus.ACTIVE.stream().map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));
    private static final String PLATFORM_FAULTS = EnumSet.allOf(FailureCode.class).stream()
            .filter(FailureCode::isPlatformFault).map(c -> "'" + c.name() + "'").collect(Collectors.joining(", "));
    static final String COUNT_ACTIVE_SQL = "SELECT COUNT(*) FROM jobs INDEXED BY jobs_by_owner_status"
            + " WHERE owner = ? AND status IN (" + ACTIVE_STATUSES + ")";
    static final String SUBMISSIONS_SQL = "SELECT COUNT(*), MIN(submitted_at) FROM submissions INDEXED BY"
            + " submissions_by_owner WHERE owner = ? AND counts = 1 AND submitted_at >= ?";

    private final Path file;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers;
    private final byte[] tokenSecret;
    private volatile boolean closed;

    private SqliteJobStore(Path file, Connection writer, List<Connection> readers, byte[] tokenSecret) {
        this.file = file;
        this.writer = writer;
        this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
        this.tokenSecret = tokenSecret;
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
        List<Connection> opened = new ArrayList<>();
        try {
            Connection writer = connect(file);
            opened.add(writer);
            try (Statement st = writer.createStatement()) {
                // journal_mode is stored in the file; the others hold per connection.
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SqliteStoreException("could not put " + file + " in WAL mode (got " + mode + ")", null);
                    }
                }
            }
            byte[] secret = migrate(writer, file);
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < readConnections; i++) {
                Connection reader = connect(file);
                opened.add(reader);
                try (Statement st = reader.createStatement()) {
                    st.execute("PRAGMA query_only=ON");
                }
                readers.add(reader);
            }
            return new SqliteJobStore(file, writer, readers, secret);
        } catch (SQLException | RuntimeException e) {
            for (Connection c : opened) {
                closeQuietly(c);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new SqliteStoreException("cannot open " + file, (SQLException) e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
            // See the class comment: committed transactions survive a process crash under WAL + NORMAL.
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("PRAGMA foreign_keys=ON");
        }
        return c;
    }

    /** Brings the schema to {@link #SCHEMA_VERSION}; returns the page-token secret. */
    private static byte[] migrate(Connection c, Path file) throws SQLException {
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
                    st.execute("CREATE TABLE settings (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID");
                    byte[] secret = new byte[32];
                    new SecureRandom().nextBytes(secret);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO settings (name, value) VALUES ('page_token_secret', ?)")) {
                        ps.setString(1, Base64.getEncoder().encodeToString(secret));
                        ps.executeUpdate();
                    }
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
                            + " failure_code IN (" + PLATFORM_FAULTS + ") THEN 0 ELSE 1 END FROM jobs");
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
                // Later migrations: if (version < 7) { ... }
                st.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                byte[] secret;
                try (ResultSet rs = st.executeQuery("SELECT value FROM settings WHERE name = 'page_token_secret'")) {
                    if (!rs.next()) {
                        throw new SqliteStoreException(file + " has no page token secret", null);
                    }
                    secret = Base64.getDecoder().decode(rs.getString(1));
                }
                st.execute("COMMIT");
                return secret;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
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
                        "INSERT OR REPLACE INTO idempotency_keys (owner, key, job_id, fingerprint) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, job.owner());
                    ps.setString(2, key.key());
                    ps.setString(3, job.id().value());
                    ps.setString(4, key.requestFingerprint());
                    ps.executeUpdate();
                }
            }
            if (findIn(c, job.id()).isPresent()) {
                throw new IllegalStateException("job " + job.id() + " exists already");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (" + COLUMNS + ") VALUES ("
                    + "?, ".repeat(20) + "?)")) {
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
                + "vulnerabilities = ?, warnings = ?, metrics = ?, receipt = ?, runs = ? WHERE id = ? AND status IN (" + String.join(", ", Collections.nCopies(expected.size(), "?")) + ")";
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
        Optional<String> after = pageToken.map(t -> decodeToken(t, owner));
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
        return new JobPage(page, Optional.of(encodeToken(owner, createdKey(page.get(limit - 1)))));
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

    /** Closes every connection; calls made afterwards fail with IllegalStateException. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
        // A reader in use is closed when it is handed back (see read).
        Connection c;
        while ((c = readers.poll()) != null) {
            closeQuietly(c);
        }
    }

    // --- connections and transactions ---

    @FunctionalInterface
    private interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on the write connection, in a transaction when {@code transaction}, else as it is. */
    private <T> T write(Sql<T> work, boolean transaction) {
        writeLock.lock();
        try {
            ensureOpen();
            if (!transaction) {
                return work.run(writer);
            }
            try (Statement st = writer.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                try {
                    T result = work.run(writer);
                    st.execute("COMMIT");
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(writer);
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new SqliteStoreException("write to " + file + " failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T read(Sql<T> work) {
        Connection c = borrowReader();
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new SqliteStoreException("read from " + file + " failed", e);
        } finally {
            if (closed) {
                closeQuietly(c);
            } else {
                readers.add(c);
                if (closed && readers.remove(c)) {
                    closeQuietly(c); // close() drained the pool between the check and the add
                }
            }
        }
    }

    private Connection borrowReader() {
        try {
            while (true) {
                ensureOpen();
                Connection c = readers.poll(100, TimeUnit.MILLISECONDS);
                if (c != null) {
                    return c;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SqliteStoreException("interrupted while waiting for a read connection", null);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the job store on " + file + " is closed");
        }
    }

    private static void rollbackQuietly(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // No transaction open (SQLite rolled it back itself) or the connection is gone.
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Nothing left to do.
        }
    }

    // --- page tokens ---

    private String encodeToken(String owner, String createdKey) {
        ObjectNode token = JSON.createObjectNode();
        token.put("k", createdKey);
        token.put("m", Base64.getUrlEncoder().withoutPadding().encodeToString(mac(owner, createdKey)));
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(token));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The created_key to continue after; rejects tokens not issued by this database for this owner. */
    private String decodeToken(String token, String owner) {
        try {
            JsonNode node = JSON.readTree(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            JsonNode k = node.get("k");
            JsonNode m = node.get("m");
            if (node.size() != 2 || k == null || !k.isTextual() || m == null || !m.isTextual()
                    || !CREATED_KEY.matcher(k.asText()).matches()) {
                throw new InvalidPageTokenException();
            }
            // The MAC covers owner and key; comparing the whole canonical token also refuses any other spelling.
            byte[] expected = encodeToken(owner, k.asText()).getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8))) {
                throw new InvalidPageTokenException();
            }
            return k.asText();
        } catch (InvalidPageTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidPageTokenException();
        }
    }

    private byte[] mac(String owner, String createdKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenSecret, "HmacSHA256"));
            mac.update(owner.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(createdKey.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    // --- mapping ---

    static String createdKey(Job job) {
        return SORTABLE.format(job.createdAt()) + "#" + job.id().value();
    }

    private static void bindAll(PreparedStatement ps, Job job) throws SQLException {
        ps.setString(1, job.id().value());
        bindFields(ps, 2, job);
    }

    /** Binds every column but id, in {@link #COLUMNS} order, from {@code first}; returns the next index. */
    private static int bindFields(PreparedStatement ps, int first, Job job) throws SQLException {
        int i = first;
        ps.setString(i++, job.owner());
        ps.setString(i++, createdKey(job));
        ps.setString(i++, job.status().name());
        ps.setString(i++, job.name());
        ps.setString(i++, job.description());
        ps.setString(i++, job.failure() == null ? null : job.failure().code().name());
        ps.setString(i++, job.failure() == null ? null : job.failure().message());
        if (job.performance() == null) {
            ps.setNull(i++, Types.REAL);
        } else {
            ps.setDouble(i++, job.performance());
        }
        ps.setString(i++, job.createdAt().toString());
        ps.setString(i++, job.updatedAt().toString());
        StageTimes st = job.stages();
        ps.setString(i++, text(st.queuedAt()));
        ps.setString(i++, text(st.buildStartedAt()));
        ps.setString(i++, text(st.scanStartedAt()));
        ps.setString(i++, text(st.runStartedAt()));
        ps.setString(i++, text(st.finishedAt()));
        ps.setString(i++, job.vulnerabilities() == null ? null : vulnerabilitiesJson(job.vulnerabilities()));
        ps.setString(i++, job.warnings().isEmpty() ? null : warningsJson(job.warnings()));
        ps.setString(i++, job.metrics().isEmpty() ? null : metricsJson(job.metrics()));
        ps.setString(i++, job.receipt() == null ? null : job.receipt().toJson());
        ps.setString(i++, job.runs().toJson());
        return i;
    }

    private static Job fromRow(ResultSet rs) throws SQLException {
        String failureCode = rs.getString("failure_code");
        Failure failure = failureCode == null ? null
                : Failure.of(FailureCode.valueOf(failureCode), rs.getString("failure_message"));
        double perf = rs.getDouble("performance");
        Double performance = rs.wasNull() ? null : perf;
        String vulnerabilities = rs.getString("vulnerabilities");
        return new Job(
                new JobId(rs.getString("id")),
                rs.getString("owner"),
                rs.getString("name"),
                rs.getString("description"),
                JobStatus.valueOf(rs.getString("status")),
                failure,
                performance,
                Instant.parse(rs.getString("created_at")),
                Instant.parse(rs.getString("updated_at")),
                new StageTimes(instant(rs, "queued_at"), instant(rs, "build_started_at"), instant(rs, "scan_started_at"),
                        instant(rs, "run_started_at"), instant(rs, "finished_at")),
                vulnerabilities == null ? null : vulnerabilitiesFrom(vulnerabilities),
                warningsFrom(rs.getString("warnings")),
                metricsFrom(rs.getString("metrics")),
                // An unreadable receipt is no receipt: the job still answers.
                RunReceipt.fromJson(rs.getString("receipt")).orElse(null),
                // NULL for a job of an earlier version: Job reads it as one run (of its value, if it succeeded).
                Runs.fromJson(rs.getString("runs")).orElse(null));
    }

    private static String metricsJson(Map<String, Double> metrics) {
        try {
            return JSON.writeValueAsString(metrics);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Double> metricsFrom(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Double>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable metrics column: " + json, e);
        }
    }

    private static String warningsJson(List<String> warnings) {
        try {
            return JSON.writeValueAsString(warnings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> warningsFrom(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable warnings column: " + json, e);
        }
    }

    private static String vulnerabilitiesJson(VulnerabilityCounts counts) {
        try {
            return JSON.writeValueAsString(counts.asOrderedMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static VulnerabilityCounts vulnerabilitiesFrom(String json) {
        try {
            Map<String, Integer> raw = JSON.readValue(json, new TypeReference<Map<String, Integer>>() { });
            EnumMap<Severity, Integer> counts = new EnumMap<>(Severity.class);
            raw.forEach((k, v) -> counts.put(Severity.valueOf(k), v));
            return new VulnerabilityCounts(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable vulnerabilities column: " + json, e);
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        String v = rs.getString(column);
        return v == null ? null : Instant.parse(v);
    }
}
