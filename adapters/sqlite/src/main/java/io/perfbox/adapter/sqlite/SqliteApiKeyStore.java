package io.perfbox.adapter.sqlite;

import io.perfbox.core.port.ApiKeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link ApiKeyStore} in the data dir's SQLite file ({@code perfbox.db}, table {@code api_keys}, WAL mode), beside
 * the jobs. The CLI's {@code perfbox keys} and a running server each open their own instance on the same file: WAL
 * lets the server read while the CLI writes, writes wait for each other ({@code BEGIN IMMEDIATE}, busy timeout),
 * and every read sees every write committed before it (a revoke counts from the next request on).
 */
public final class SqliteApiKeyStore implements ApiKeyStore, AutoCloseable {
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private final Path file;
    private final Connection connection;
    private PreparedStatement findStatement;

    private SqliteApiKeyStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the key table in {@code <dataDir>/perfbox.db}. */
    public static SqliteApiKeyStore open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        Path file = dataDir.resolve(SqliteJobStore.FILE_NAME);
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        c.close();
                        throw new SqliteStoreException("could not put " + file + " in WAL mode (got " + mode + ")", null);
                    }
                }
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS api_keys (
                          id          TEXT PRIMARY KEY NOT NULL,
                          tenant      TEXT NOT NULL,
                          secret_hash BLOB NOT NULL,
                          created_at  TEXT NOT NULL,
                          revoked_at  TEXT,
                          seq         INTEGER NOT NULL
                        )""");
            }
            return new SqliteApiKeyStore(file, c);
        } catch (SQLException e) {
            throw new SqliteStoreException("cannot open the API keys in " + file, e);
        }
    }

    @Override
    public synchronized void add(StoredKey key) {
        try (Statement st = connection.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try (PreparedStatement ps = connection.prepareStatement("""
                    INSERT INTO api_keys (id, tenant, secret_hash, created_at, revoked_at, seq)
                    VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM api_keys))
                    ON CONFLICT (id) DO NOTHING""")) {
                ps.setString(1, key.id());
                ps.setString(2, key.tenant());
                ps.setBytes(3, key.secretHash());
                ps.setString(4, key.createdAt().toString());
                ps.setString(5, key.revokedAt().map(Instant::toString).orElse(null));
                int inserted = ps.executeUpdate();
                st.execute("COMMIT");
                if (inserted == 0) {
                    throw new IllegalStateException("an API key with id " + key.id() + " exists already");
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(); // harmless after COMMIT: no transaction is open then
                throw e;
            }
        } catch (SQLException e) {
            throw new SqliteStoreException("write to " + file + " failed", e);
        }
    }

    @Override
    public synchronized Optional<StoredKey> find(String id) {
        try {
            // Every request of a team server checks its key here: the statement is prepared once, not per request.
            if (findStatement == null) {
                findStatement = connection.prepareStatement(
                        "SELECT id, tenant, secret_hash, created_at, revoked_at FROM api_keys WHERE id = ?");
            }
            findStatement.setString(1, id);
            try (ResultSet rs = findStatement.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new SqliteStoreException("read from " + file + " failed", e);
        }
    }

    @Override
    public synchronized List<StoredKey> list() {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id, tenant, secret_hash, created_at, revoked_at FROM api_keys ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            List<StoredKey> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(row(rs));
            }
            return keys;
        } catch (SQLException e) {
            throw new SqliteStoreException("read from " + file + " failed", e);
        }
    }

    @Override
    public synchronized boolean revoke(String id, Instant at) {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setString(1, at.toString());
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new SqliteStoreException("write to " + file + " failed", e);
        }
    }

    private static StoredKey row(ResultSet rs) throws SQLException {
        String revoked = rs.getString("revoked_at");
        return new StoredKey(rs.getString("id"), rs.getString("tenant"), rs.getBytes("secret_hash"),
                Instant.parse(rs.getString("created_at")), Optional.ofNullable(revoked).map(Instant::parse));
    }

    private void rollbackQuietly() {
        try (Statement st = connection.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // nothing was begun, or the connection is gone
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
