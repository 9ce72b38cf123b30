package io.perfbox.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.testing.contract.ApiKeyStoreContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ApiKeyStore contract against a fresh SQLite file per test, plus what two processes on one file see. */
class SqliteApiKeyStoreTest extends ApiKeyStoreContract {
    @TempDir
    Path dataDir;

    private SqliteApiKeyStore store;

    @BeforeEach
    void open() {
        store = SqliteApiKeyStore.open(dataDir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected ApiKeyStore store() {
        return store;
    }

    @Test
    void aKeyRevokedThroughAnotherConnectionIsRefusedAtOnce() {
        ApiKeys serverSide = new ApiKeys(store, Clock.systemUTC());
        try (SqliteApiKeyStore cli = SqliteApiKeyStore.open(dataDir)) {
            ApiKeys cliSide = new ApiKeys(cli, Clock.systemUTC());
            ApiKeys.CreatedKey created = cliSide.create("acme");
            assertThat(serverSide.tenantOf(created.key())).contains("acme");
            assertThat(cliSide.revoke(created.id())).isTrue();
            assertThat(serverSide.tenantOf(created.key())).isEmpty();
        }
    }

    @Test
    void keysLiveBesideTheJobsInOneFileThatNeverHoldsASecretInClear() throws IOException {
        try (SqliteJobStore jobs = SqliteJobStore.open(dataDir)) {
            ApiKeys.CreatedKey created = new ApiKeys(store, Clock.systemUTC()).create("acme");
            assertThat(jobs.list("acme", Optional.empty(), 10, Optional.empty()).jobs()).isEmpty();
            String secret = created.key().substring(("pbk_" + created.id() + "_").length());
            try (Stream<Path> files = Files.list(dataDir)) {
                for (Path f : files.toList()) {
                    String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertThat(content).as(f.toString()).doesNotContain(secret).doesNotContain(created.key());
                }
            }
        }
    }
}
