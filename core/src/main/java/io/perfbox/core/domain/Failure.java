package io.perfbox.core.domain;

import java.util.Objects;

/** A failure code with a message a person understands. */
public record Failure(FailureCode code, String message) {
    public Failure {
        Objects.requireNonNull(code, "code");
        message = message == null || message.isBlank() ? code.name() : message;
    }

    public static Failure of(FailureCode code, String message) {
        return new Failure(code, message);
    }
}
