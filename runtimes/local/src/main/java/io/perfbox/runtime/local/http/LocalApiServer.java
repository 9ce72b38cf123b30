package io.perfbox.runtime.local.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.perfbox.api.ApiRequest;
import io.perfbox.api.ApiResponse;
import io.perfbox.api.PerfboxApi;
import io.perfbox.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local HTTP API on 127.0.0.1: the JDK server's exchange becomes the API's request record, once, here, and the
 * API's response record is written back as it is. Bodies are read with a bound.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalApiServer.class.getName());
    /** Far above any valid submit (64 KiB Dockerfile, JSON-escaped), far below anything that hurts. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The loopback server has one user, the tenant every job it stores belongs to. */
    public static final String LOCAL_TENANT = "local";

    private final HttpServer server;
    private final PerfboxApi api;

    private LocalApiServer(HttpServer server, PerfboxApi api) {
        this.server = server;
        this.api = api;
    }

    public static LocalApiServer start(int port, PerfboxApi api) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        LocalApiServer local = new LocalApiServer(server, api);
        server.createContext("/", local::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return local;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            ApiResponse response;
            ApiRequest request = null;
            try {
                request = toRequest(exchange);
                response = api.dispatch(request);
            } catch (BodyTooLargeException e) {
                String path = exchange.getRequestURI().getRawPath();
                response = Problem.of(413, "request-too-large", "The request body is over " + MAX_BODY_BYTES
                        + " bytes; a Dockerfile may be at most 64 KiB", path).toResponse();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "unexpected error serving " + exchange.getRequestURI(), e);
                response = Problem.of(500, "internal-error", "perfbox could not complete the request",
                        exchange.getRequestURI().getRawPath()).toResponse();
            }
            write(exchange, PerfboxApi.withRequestId(response,
                    exchange.getRequestHeaders().getFirst(PerfboxApi.REQUEST_ID)));
        } catch (IOException e) {
            LOG.fine(() -> "client went away: " + e.getMessage());
        }
    }

    /** The exchange as the API's request record: the body read with a bound, the local tenant as the caller. */
    private static ApiRequest toRequest(HttpExchange exchange) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name, values.get(0));
            }
        });
        Map<String, String> query = new LinkedHashMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                query.putIfAbsent(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        byte[] body = readBounded(exchange.getRequestBody());
        return new ApiRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), Map.of(), query,
                headers, body, Optional.of(LOCAL_TENANT));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static final class BodyTooLargeException extends IOException {
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            // Drain a little more so the client reads our 413 instead of a reset connection; then give up.
            in.skip(16L * MAX_BODY_BYTES);
            throw new BodyTooLargeException();
        }
        return body;
    }

    private static void write(HttpExchange exchange, ApiResponse response) throws IOException {
        byte[] bytes = response.body();
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(1);
    }
}
