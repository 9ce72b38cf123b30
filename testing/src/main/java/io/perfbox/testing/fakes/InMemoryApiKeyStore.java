package io.perfbox.testing.fakes;

import io.perfbox.core.port.ApiKeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ApiKeyStore} in memory, for tests. */
public final class InMemoryApiKeyStore implements ApiKeyStore {
    private final Map<String, StoredKey> keys = new LinkedHashMap<>();

    @Override
    public synchronized void add(StoredKey key) {
        if (keys.putIfAbsent(key.id(), key) != null) {
            throw new IllegalStateException("an API key with id " + key.id() + " exists already");
        }
    }

    @Override
    public synchronized Optional<StoredKey> find(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public synchronized List<StoredKey> list() {
        return new ArrayList<>(keys.values());
    }

    @Override
    public synchronized boolean revoke(String id, Instant at) {
        StoredKey k = keys.get(id);
        if (k == null || k.revoked()) {
            return false;
        }
        keys.put(id, new StoredKey(k.id(), k.tenant(), k.secretHash(), k.createdAt(), Optional.of(at)));
        return true;
    }
}
