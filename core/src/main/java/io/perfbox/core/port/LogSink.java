package io.perfbox.core.port;

import java.nio.charset.StandardCharsets;

/** Where a step's output goes as it is produced (the build's, the container's). */
@FunctionalInterface
public interface LogSink {
    /** Discards everything: for a step whose output is stored whole when it ends. */
    LogSink NONE = (bytes, offset, length) -> { };

    void write(byte[] bytes, int offset, int length);

    default void write(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }
}
