package io.perfbox.adapter.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The job store's connections to its file: one writer guarded by a lock (its transactions start {@code BEGIN
 * IMMEDIATE}) and a small pool of read-only readers (see {@link SqliteJobStore}'s class comment).
 */
final class SqliteConnections implements AutoCloseable {
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private final Path file;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers;
    private volatile boolean closed;

    private SqliteConnections(Path file, Connection writer, List<Connection> readers) {
        this.file = file;
        this.writer = writer;
        this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
    }

    /** Work on one connection. */
    @FunctionalInterface
    interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Opens the writer (putting the file in WAL mode), runs {@code onWriter} on it before anything else (the
     * migration), then opens {@code readConnections} readers; closes whatever it opened when a step fails.
     */
    static <T> Opened<T> open(Path file, int readConnections, Sql<T> onWriter) {
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
            T result = onWriter.run(writer);
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < readConnections; i++) {
                Connection reader = connect(file);
                opened.add(reader);
                try (Statement st = reader.createStatement()) {
                    st.execute("PRAGMA query_only=ON");
                }
                readers.add(reader);
            }
            return new Opened<>(new SqliteConnections(file, writer, readers), result);
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

    /** The connections and what {@code onWriter} answered. */
    record Opened<T>(SqliteConnections connections, T value) {
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
            // See SqliteJobStore's class comment: committed transactions survive a process crash under WAL + NORMAL.
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("PRAGMA foreign_keys=ON");
        }
        return c;
    }
    /** Runs {@code work} on the write connection, in a transaction when {@code transaction}, else as it is. */
    <T> T write(Sql<T> work, boolean transaction) {
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

    <T> T read(Sql<T> work) {
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

    static void rollbackQuietly(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // No transaction open (SQLite rolled it back itself) or the connection is gone.
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Nothing left to do.
        }
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
}
