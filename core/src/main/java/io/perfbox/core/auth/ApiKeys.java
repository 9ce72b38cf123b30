package io.perfbox.core.auth;

import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.core.port.ApiKeyStore.StoredKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Creating, checking and revoking API keys. A key is {@code pbk_<id>_<secret>}: the id (12 hex digits) finds the
 * stored key, the secret (32 random bytes, base64url) proves it; only the secret's SHA-256 is stored, and the check
 * compares hashes in constant time. A server may remember what the store said of a key id for a short while
 * ({@link #remembering}), so that a request does not read the store each time; a revoke (perhaps by another process
 * on the same store) then counts from at most that long after it. Without it, from the very next check.
 */
public final class ApiKeys {
    private static final Pattern TENANT = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");
    private static final Pattern KEY = Pattern.compile("^pbk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Remembered lookups at most; past it they are all forgotten (an unknown-id flood cannot grow memory). */
    private static final int MAX_REMEMBERED = 10_000;

    private final ApiKeyStore store;
    private final Clock clock;
    private final Duration rememberFor;
    private final ConcurrentHashMap<String, Remembered> remembered = new ConcurrentHashMap<>();

    /** Set once a key is known to exist: keys are revoked, never deleted, so it never turns false again. */
    private volatile boolean anyMade;
    private volatile Instant anyCheckedUntil = Instant.MIN;

    private record Remembered(Optional<StoredKey> key, Instant until) {
    }

    public ApiKeys(ApiKeyStore store, Clock clock) {
        this(store, clock, Duration.ZERO);
    }

    private ApiKeys(ApiKeyStore store, Clock clock, Duration rememberFor) {
        this.store = store;
        this.clock = clock;
        this.rememberFor = rememberFor;
    }

    /** These keys remembering each store lookup (found or not) for {@code rememberFor}: a revoke counts within it. */
    public ApiKeys remembering(Duration rememberFor) {
        if (rememberFor.isNegative()) {
            throw new IllegalArgumentException("cannot remember for a negative time");
        }
        return new ApiKeys(store, clock, rememberFor);
    }

    /** A key just created: the only time its secret is known. */
    public record CreatedKey(String id, String tenant, String key) {
        @Override
        public String toString() {
            return "CreatedKey[id=" + id + ", tenant=" + tenant + "]";
        }
    }

    public CreatedKey create(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("a tenant is 1 to 63 characters of a-z, 0-9, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        byte[] idBytes = new byte[6];
        RANDOM.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        store.add(new StoredKey(id, tenant, sha256(secret), clock.instant(), Optional.empty()));
        anyMade = true;
        return new CreatedKey(id, tenant, "pbk_" + id + "_" + secret);
    }

    /** The tenant of a valid, unrevoked key; empty for anything else. */
    public Optional<String> tenantOf(String key) {
        if (key == null) {
            return Optional.empty();
        }
        var m = KEY.matcher(key.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        byte[] presented = sha256(m.group(2));
        return find(m.group(1))
                .filter(k -> MessageDigest.isEqual(k.secretHash(), presented))
                .filter(k -> !k.revoked())
                .map(StoredKey::tenant);
    }

    private Optional<StoredKey> find(String id) {
        if (rememberFor.isZero()) {
            return store.find(id);
        }
        Instant now = clock.instant();
        Remembered r = remembered.get(id);
        if (r != null && now.isBefore(r.until())) {
            return r.key();
        }
        Optional<StoredKey> found = store.find(id);
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(id, new Remembered(found, now.plus(rememberFor)));
        return found;
    }

    /**
     * Whether a key was ever made in the store, revoked ones included: a server whose data holds keys requires them
     * (keys, once made, are required). A "no" is remembered like a lookup, so a key made by another process counts
     * within the same window; a "yes" is final.
     */
    public boolean anyMade() {
        if (anyMade) {
            return true;
        }
        Instant now = clock.instant();
        if (!rememberFor.isZero() && now.isBefore(anyCheckedUntil)) {
            return false;
        }
        boolean made = !store.list().isEmpty();
        anyCheckedUntil = now.plus(rememberFor);
        anyMade = made;
        return made;
    }

    public List<StoredKey> list() {
        return store.list();
    }

    /** Revokes the key with this id; false if there is none or it was revoked already. */
    public boolean revoke(String id) {
        remembered.remove(id);
        return store.revoke(id, clock.instant());
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
