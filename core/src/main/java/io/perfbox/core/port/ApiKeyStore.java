package io.perfbox.core.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * API keys, one tenant each. The store holds a key's id, tenant and the SHA-256 of its secret, never the secret.
 * Another process may write the same store at the same time (the CLI's {@code perfbox keys} beside a running
 * server): every read sees what was committed before it.
 */
public interface ApiKeyStore {

    /** A stored key: {@code secretHash} is the SHA-256 of its secret; {@code revokedAt} empty while it is valid. */
    record StoredKey(String id, String tenant, byte[] secretHash, Instant createdAt, Optional<Instant> revokedAt) {
        public StoredKey {
            secretHash = secretHash.clone();
            revokedAt = revokedAt == null ? Optional.empty() : revokedAt;
        }

        @Override
        public byte[] secretHash() {
            return secretHash.clone();
        }

        public boolean revoked() {
            return revokedAt.isPresent();
        }
    }

    /** Stores a new key; an id already stored is refused with {@link IllegalStateException}. */
    void add(StoredKey key);

    Optional<StoredKey> find(String id);

    /** Every key, revoked ones too, oldest first. */
    List<StoredKey> list();

    /** Marks the key revoked at {@code at}; false if there is no such key or it was already revoked. */
    boolean revoke(String id, Instant at);
}
