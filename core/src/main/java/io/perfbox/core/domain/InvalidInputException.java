package io.perfbox.core.domain;

import java.io.Serial;

/** Input a caller sent that perfbox cannot accept; the edge maps it to a 4xx problem. */
public class InvalidInputException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final Kind kind;

    /** UNPROCESSABLE: well-formed, but it contradicts what was stored before (a reused Idempotency-Key). */
    public enum Kind { BAD_REQUEST, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, CONFLICT, UNPROCESSABLE }

    public InvalidInputException(String reason, String message) {
        this(Kind.BAD_REQUEST, reason, message);
    }

    public InvalidInputException(Kind kind, String reason, String message) {
        super(message);
        this.kind = kind;
        this.reason = reason;
    }

    /** A short machine-readable slug, e.g. {@code dockerfile-too-large}. */
    public String reason() {
        return reason;
    }

    public Kind kind() {
        return kind;
    }
}
