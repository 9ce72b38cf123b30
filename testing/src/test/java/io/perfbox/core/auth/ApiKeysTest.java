package io.perfbox.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.testing.fakes.InMemoryApiKeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    /** Counts the store's lookups. */
    private static final class CountingStore implements ApiKeyStore {
        final AtomicInteger finds = new AtomicInteger();
        private final InMemoryApiKeyStore keys = new InMemoryApiKeyStore();

        @Override
        public void add(StoredKey key) {
            keys.add(key);
        }

        @Override
        public Optional<StoredKey> find(String id) {
            finds.incrementAndGet();
            return keys.find(id);
        }

        @Override
        public List<StoredKey> list() {
            return keys.list();
        }

        @Override
        public boolean revoke(String id, Instant at) {
            return keys.revoke(id, at);
        }
    }

    private static final class SettableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void withoutRememberingEveryCheckReadsTheStoreAndARevokeCountsAtOnce() {
        CountingStore store = new CountingStore();
        ApiKeys keys = new ApiKeys(store, Clock.systemUTC());
        ApiKeys.CreatedKey key = keys.create("alice");
        assertThat(keys.tenantOf(key.key())).contains("alice");
        assertThat(keys.tenantOf(key.key())).contains("alice");
        assertThat(store.finds).hasValue(2);
        new ApiKeys(store, Clock.systemUTC()).revoke(key.id());
        assertThat(keys.tenantOf(key.key())).isEmpty();
    }

    @Test
    void rememberingReadsTheStoreOncePerWindowAndARevokeElsewhereCountsWithinIt() {
        CountingStore store = new CountingStore();
        SettableClock clock = new SettableClock();
        ApiKeys server = new ApiKeys(store, clock).remembering(Duration.ofSeconds(1));
        ApiKeys.CreatedKey key = new ApiKeys(store, clock).create("alice");
        for (int i = 0; i < 100; i++) {
            assertThat(server.tenantOf(key.key())).contains("alice");
        }
        assertThat(store.finds).hasValue(1);
        assertThat(server.tenantOf(key.key().substring(0, key.key().length() - 1) + "x"))
                .as("a wrong secret for a remembered id").isEmpty();

        // Revoked by another process (the CLI on the same data dir): still remembered within the window, not after.
        new ApiKeys(store, clock).revoke(key.id());
        clock.now = clock.now.plusMillis(999);
        assertThat(server.tenantOf(key.key())).contains("alice");
        clock.now = clock.now.plusMillis(1);
        assertThat(server.tenantOf(key.key())).isEmpty();
    }

    @Test
    void aRevokeThroughTheRememberingKeysCountsAtOnce() {
        ApiKeys server = new ApiKeys(new InMemoryApiKeyStore(), new SettableClock()).remembering(Duration.ofMinutes(5));
        ApiKeys.CreatedKey key = server.create("alice");
        assertThat(server.tenantOf(key.key())).contains("alice");
        server.revoke(key.id());
        assertThat(server.tenantOf(key.key())).isEmpty();
    }

    @Test
    void aKeyMadeByAnotherProcessCountsWithinTheWindowAndARevokeNeverMakesKeysOptionalAgain() {
        InMemoryApiKeyStore shared = new InMemoryApiKeyStore();
        SettableClock clock = new SettableClock();
        ApiKeys server = new ApiKeys(shared, clock).remembering(Duration.ofSeconds(1));
        ApiKeys keysCommand = new ApiKeys(shared, clock);
        assertThat(server.anyMade()).isFalse();

        ApiKeys.CreatedKey made = keysCommand.create("team-a");
        assertThat(server.anyMade()).as("a no is remembered within the window").isFalse();
        clock.now = clock.now.plusMillis(1001);
        assertThat(server.anyMade()).isTrue();

        keysCommand.revoke(made.id());
        clock.now = clock.now.plusSeconds(10);
        assertThat(server.anyMade()).as("revoked keys still count: keys, once made, are required").isTrue();
        assertThat(new ApiKeys(shared, clock).anyMade()).isTrue();
    }

    @Test
    void aKeyMadeThroughTheSameKeysCountsAtOnce() {
        ApiKeys keys = new ApiKeys(new InMemoryApiKeyStore(), new SettableClock()).remembering(Duration.ofSeconds(1));
        assertThat(keys.anyMade()).isFalse();
        keys.create("team-a");
        assertThat(keys.anyMade()).isTrue();
    }
}
