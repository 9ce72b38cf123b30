package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.core.port.ApiKeyStore.StoredKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every ApiKeyStore adapter must do, and the key checks over it. Subclasses provide a fresh, empty store. */
public abstract class ApiKeyStoreContract {

    protected abstract ApiKeyStore store();

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static StoredKey key(String id, String tenant) {
        return new StoredKey(id, tenant, new byte[] {1, 2, 3}, T0, Optional.empty());
    }

    @Test
    void aStoredKeyIsFoundByItsIdWithItsTenantAndHash() {
        store().add(key("0123456789ab", "acme"));
        StoredKey found = store().find("0123456789ab").orElseThrow();
        assertThat(found.tenant()).isEqualTo("acme");
        assertThat(found.secretHash()).containsExactly(1, 2, 3);
        assertThat(found.createdAt()).isEqualTo(T0);
        assertThat(found.revoked()).isFalse();
        assertThat(store().find("ffffffffffff")).isEmpty();
    }

    @Test
    void anIdIsStoredOnce() {
        store().add(key("0123456789ab", "acme"));
        assertThatThrownBy(() -> store().add(key("0123456789ab", "other"))).isInstanceOf(IllegalStateException.class);
        assertThat(store().find("0123456789ab").orElseThrow().tenant()).isEqualTo("acme");
    }

    @Test
    void listShowsEveryKeyOldestFirst() {
        store().add(key("000000000001", "a"));
        store().add(key("000000000002", "b"));
        store().revoke("000000000001", T0.plusSeconds(1));
        assertThat(store().list()).extracting(StoredKey::id).containsExactly("000000000001", "000000000002");
        assertThat(store().list()).extracting(StoredKey::revoked).containsExactly(true, false);
    }

    @Test
    void revokeMarksTheKeyOnceAndReportsWhetherItDid() {
        store().add(key("0123456789ab", "acme"));
        assertThat(store().revoke("0123456789ab", T0.plusSeconds(5))).isTrue();
        assertThat(store().revoke("0123456789ab", T0.plusSeconds(6))).isFalse();
        assertThat(store().revoke("ffffffffffff", T0)).isFalse();
        assertThat(store().find("0123456789ab").orElseThrow().revokedAt()).contains(T0.plusSeconds(5));
    }

    @Test
    void aCreatedKeyAuthenticatesItsTenantUntilRevoked() {
        ApiKeys keys = new ApiKeys(store(), Clock.fixed(T0, ZoneOffset.UTC));
        ApiKeys.CreatedKey created = keys.create("acme");
        assertThat(keys.tenantOf(created.key())).contains("acme");
        assertThat(keys.revoke(created.id())).isTrue();
        assertThat(keys.tenantOf(created.key())).isEmpty();
    }

    @Test
    void aKeyWithAWrongSecretOrUnknownIdOrBadShapeIsRefused() {
        ApiKeys keys = new ApiKeys(store(), Clock.fixed(T0, ZoneOffset.UTC));
        String key = keys.create("acme").key();
        String wrongSecret = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");
        String unknownId = "pbk_ffffffffffff" + key.substring(16);
        assertThat(keys.tenantOf(wrongSecret)).isEmpty();
        assertThat(keys.tenantOf(unknownId)).isEmpty();
        assertThat(keys.tenantOf("")).isEmpty();
        assertThat(keys.tenantOf(null)).isEmpty();
        assertThat(keys.tenantOf("not-a-key")).isEmpty();
    }

    @Test
    void theStoreHoldsTheSecretsHashNeverTheSecret() {
        ApiKeys keys = new ApiKeys(store(), Clock.fixed(T0, ZoneOffset.UTC));
        ApiKeys.CreatedKey created = keys.create("acme");
        String secret = created.key().substring(("pbk_" + created.id() + "_").length());
        StoredKey stored = store().find(created.id()).orElseThrow();
        assertThat(stored.secretHash()).hasSize(32);
        assertThat(new String(stored.secretHash(), StandardCharsets.ISO_8859_1)).doesNotContain(secret);
        assertThat(created.toString()).doesNotContain(secret);
    }

    @Test
    void aTenantNameIsChecked() {
        ApiKeys keys = new ApiKeys(store(), Clock.fixed(T0, ZoneOffset.UTC));
        assertThatThrownBy(() -> keys.create("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.create("Bad Name")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store().list()).isEmpty();
    }
}
