package io.perfbox.adapter.sqlite;

import io.perfbox.core.port.JobStore;
import io.perfbox.testing.contract.JobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The JobStore contract against a fresh SQLite file per test. */
class SqliteJobStoreTest extends JobStoreContract {
    @TempDir
    Path dataDir;

    private SqliteJobStore store;

    @BeforeEach
    void open() {
        store = SqliteJobStore.open(dataDir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected JobStore store() {
        return store;
    }
}
