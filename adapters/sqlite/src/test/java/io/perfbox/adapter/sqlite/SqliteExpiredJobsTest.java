package io.perfbox.adapter.sqlite;

import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.contract.ExpiredJobsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The ExpiredJobs contract against a fresh SQLite file per test. */
class SqliteExpiredJobsTest extends ExpiredJobsContract {
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
    protected JobStore jobs() {
        return store;
    }

    @Override
    protected ExpiredJobs expired() {
        return store;
    }

    @Override
    protected TenantUsage usage() {
        return store;
    }
}
