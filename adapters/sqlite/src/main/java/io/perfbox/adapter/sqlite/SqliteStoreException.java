package io.perfbox.adapter.sqlite;

import java.io.Serial;

/** The SQLite file could not be read or written (I/O error, corrupt file, lock held too long by another process). */
public class SqliteStoreException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SqliteStoreException(String message, Throwable cause) {
        super(cause == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
