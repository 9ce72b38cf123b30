package io.perfbox.core.domain;

import java.io.Serial;
import java.time.Duration;

/** A tenant's submission went past one of its quotas; {@code retryAfter}: when trying again may succeed. */
public class QuotaExceededException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public QuotaExceededException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter.isNegative() || retryAfter.isZero() ? Duration.ofSeconds(1) : retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
