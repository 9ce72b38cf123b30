package io.perfbox.core.application;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Runs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated request to run a Dockerfile. name and description are optional; {@code runs}: how many times the image
 * runs ({@link Runs#MIN}..{@link Runs#MAX}; {@link Runs#DEFAULT} when the request names none).
 */
public record SubmitJobCommand(String owner, String name, String description, Dockerfile dockerfile,
                               Optional<String> idempotencyKey, int runs) {
    public static final int MAX_NAME = 200;
    public static final int MAX_DESCRIPTION = 4000;
    public static final int MAX_IDEMPOTENCY_KEY = 255;

    /** One run. */
    public SubmitJobCommand(String owner, String name, String description, Dockerfile dockerfile,
                            Optional<String> idempotencyKey) {
        this(owner, name, description, dockerfile, idempotencyKey, Runs.DEFAULT);
    }

    /** The problem of a runs count out of its bounds, naming the field and the range. */
    public static InvalidInputException invalidRuns(String given) {
        return new InvalidInputException("invalid-runs", "\"runs\" must be a whole number from " + Runs.MIN + " to "
                + Runs.MAX + " (the times the image runs; default " + Runs.DEFAULT + "), not " + given);
    }

    public SubmitJobCommand {
        Objects.requireNonNull(owner, "owner");
        if (runs < Runs.MIN || runs > Runs.MAX) {
            throw invalidRuns(Integer.toString(runs));
        }
        if (dockerfile == null) {
            throw new InvalidInputException("missing-dockerfile", "A Dockerfile is required");
        }
        name = normalise(name, "name", "name-too-long", "invalid-name", MAX_NAME, false);
        description = normalise(description, "description", "description-too-long", "invalid-description",
                MAX_DESCRIPTION, true);
        // An empty Idempotency-Key is a malformed one (the API documents 1 to 255 characters), not an absent one.
        idempotencyKey = idempotencyKey == null ? Optional.empty() : idempotencyKey;
        idempotencyKey.ifPresent(k -> {
            if (k.isEmpty() || k.length() > MAX_IDEMPOTENCY_KEY || !k.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
                throw new InvalidInputException("invalid-idempotency-key",
                        "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " visible ASCII characters");
            }
        });
    }

    private static String normalise(String value, String field, String tooLong, String invalid, int max,
                                    boolean multiline) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.isEmpty()) {
            return null;
        }
        if (v.codePointCount(0, v.length()) > max) {
            throw new InvalidInputException(tooLong, field + " is longer than " + max + " characters");
        }
        boolean bad = v.codePoints().anyMatch(c -> Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\t' || c == '\r')));
        if (bad) {
            throw new InvalidInputException(invalid, field + " contains control characters");
        }
        return v;
    }

    /** Identifies what was submitted, so a reused Idempotency-Key with a different request is detected. */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {name, description, dockerfile.text()}) {
                byte[] b = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
                sha.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) ':');
                sha.update(b);
            }
            // Only a count other than the default is part of it, so keys stored before runs existed still match.
            if (runs != Runs.DEFAULT) {
                sha.update(("runs:" + runs).getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
