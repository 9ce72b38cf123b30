package io.perfbox.adapter.sqlite;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The database side of {@code perfbox backup} and {@code restore}: a consistent copy of a live store's file, and
 * the check of a file a restore brought back.
 */
public final class SqliteBackups {
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private SqliteBackups() {
    }

    /** What a database file holds, for a backup's manifest and a restore's checks. */
    public record Contents(List<String> jobIds, int apiKeys, int schemaVersion) {
        public Contents {
            jobIds = List.copyOf(jobIds);
        }
    }

    /**
     * Copies {@code <dataDir>/perfbox.db} to {@code copy} with {@code VACUUM INTO}: one read transaction, so the copy
     * is the snapshot of one moment however the server writes meanwhile (WAL: the writer is never held up).
     */
    public static Contents snapshot(Path dataDir, Path copy) throws IOException {
        Path db = dataDir.resolve(SqliteJobStore.FILE_NAME);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
            }
            try (PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, copy.toString());
                ps.execute();
            }
        } catch (SQLException e) {
            throw new IOException("could not copy the database " + db + ": " + e.getMessage(), e);
        }
        return contents(copy, false);
    }

    /**
     * Checks {@code <dataDir>/perfbox.db} as a restore brought it: whole ({@code integrity_check}), its tables readable,
     * then opened as {@code serve} opens it (a newer schema than this code's is refused, an older one migrated).
     */
    public static Contents verify(Path dataDir) throws IOException {
        Contents contents = contents(dataDir.resolve(SqliteJobStore.FILE_NAME), true);
        try {
            SqliteJobStore.open(dataDir).close();
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        return contents;
    }

    private static Contents contents(Path file, boolean checkIntegrity) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            if (checkIntegrity) {
                try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                    String result = rs.next() ? rs.getString(1) : "";
                    if (!"ok".equals(result)) {
                        throw new IOException("its database is damaged (" + printable(result) + ")");
                    }
                }
            }
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id FROM jobs ORDER BY id")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            int keys = 0;
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'")) {
                if (rs.next() && rs.getInt(1) > 0) {
                    try (Statement count = c.createStatement(); ResultSet n = count.executeQuery("SELECT COUNT(*) FROM api_keys")) {
                        keys = n.next() ? n.getInt(1) : 0;
                    }
                }
            }
            int version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            return new Contents(ids, keys, version);
        } catch (SQLException e) {
            throw new IOException("its database cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
