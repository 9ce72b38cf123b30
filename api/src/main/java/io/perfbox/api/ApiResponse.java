package io.perfbox.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the API answers, for the transport to write out as it is: status, headers and the body's bytes, or a body
 * written as it is produced ({@code stream}, not null: a follow of a job's output) that a transport which can stream
 * writes and flushes as it comes.
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body, BodyStream stream) {
    public ApiResponse {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
        body = body == null ? new byte[0] : body;
    }

    public ApiResponse(int status, Map<String, String> headers, byte[] body) {
        this(status, headers, body, null);
    }

    /** A body produced while it is written; it ends when the thing it follows ends, or when the thread is interrupted. */
    @FunctionalInterface
    public interface BodyStream {
        /** Writes the body, flushing as it goes; returns when it is complete. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** The same response with other headers. */
    public ApiResponse withHeaders(Map<String, String> newHeaders) {
        return new ApiResponse(status, newHeaders, body, stream);
    }

    /** A JSON body, never cached (job state changes under the client). */
    public static ApiResponse json(int status, Object body) {
        return json(status, body, Map.of());
    }

    public static ApiResponse json(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Cache-Control", "no-store");
        headers.putAll(extraHeaders);
        return new ApiResponse(status, headers, ResponseJson.bytes(body));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst();
    }
}
