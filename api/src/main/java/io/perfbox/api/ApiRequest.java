package io.perfbox.api;

import java.io.Serial;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A request as the API sees it, whatever carried it (the JDK HTTP server locally, an API Gateway event on Lambda).
 * Each transport translates to this record once. Header names are case-insensitive; for a repeated header or query
 * parameter the first value counts. {@code caller} is the tenant the transport authenticated (empty: none).
 */
public record ApiRequest(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                         Map<String, String> headers, byte[] body, Optional<String> caller) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        path = path == null ? "" : path;
        pathParameters = Map.copyOf(pathParameters == null ? Map.of() : pathParameters);
        query = Map.copyOf(query == null ? Map.of() : query);
        TreeMap<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null && v != null) {
                    caseInsensitive.putIfAbsent(k, v);
                }
            });
        }
        headers = Collections.unmodifiableMap(caseInsensitive);
        body = body == null ? new byte[0] : body;
        caller = caller == null ? Optional.empty() : caller;
    }

    /** The same request with the path parameters the route matched. */
    public ApiRequest withPathParameters(Map<String, String> parameters) {
        return new ApiRequest(method, path, parameters, query, headers, body, caller);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public Optional<String> pathParameter(String name) {
        return Optional.ofNullable(pathParameters.get(name));
    }

    /** The media type of the body without parameters, lower case; empty if none was sent. */
    public String mediaType() {
        return header("Content-Type").map(ct -> ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
    }

    /** The charset parameter of Content-Type, if any, lower case. */
    public Optional<String> charset() {
        return header("Content-Type").flatMap(ct -> {
            for (String part : ct.split(";")) {
                String p = part.strip();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    return Optional.of(p.substring(8).replace("\"", "").strip().toLowerCase(Locale.ROOT));
                }
            }
            return Optional.empty();
        });
    }

    /** The authenticated tenant; a request without one is refused with 401. */
    String owner() {
        return caller.filter(c -> !c.isBlank()).orElseThrow(Unauthenticated::new);
    }

    /** Thrown for a request that reached an operation without a caller identity. */
    static final class Unauthenticated extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        Unauthenticated() {
            super("The request carries no API key identity");
        }
    }
}
