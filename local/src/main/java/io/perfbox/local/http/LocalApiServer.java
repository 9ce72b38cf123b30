package io.perfbox.local.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.perfbox.api.ApiRoutes;
import io.perfbox.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local HTTP API on 127.0.0.1: each request becomes the API Gateway REST proxy event the Lambdas get, and is
 * handed to the same handlers, so local and AWS share one API. Bodies are read with a bound.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalApiServer.class.getName());
    /** Far above any valid submit (64 KiB Dockerfile, JSON-escaped), far below anything that hurts. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The local runtime has one user; it stands in for the API key API Gateway would have checked. */
    static final String LOCAL_API_KEY = "local";

    private final HttpServer server;
    private final ApiRoutes routes;

    private LocalApiServer(HttpServer server, ApiRoutes routes) {
        this.server = server;
        this.routes = routes;
    }

    public static LocalApiServer start(int port, ApiRoutes routes) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        LocalApiServer api = new LocalApiServer(server, routes);
        server.createContext("/", api::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            APIGatewayProxyResponseEvent response;
            try {
                response = dispatch(exchange);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "unexpected error serving " + exchange.getRequestURI(), e);
                response = Problem.of(500, "internal-error", "perfbox could not complete the request",
                        exchange.getRequestURI().getRawPath()).toResponse();
            }
            write(exchange, response);
        } catch (IOException e) {
            LOG.fine(() -> "client went away: " + e.getMessage());
        }
    }

    private APIGatewayProxyResponseEvent dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        var match = routes.match(method, path);
        if (match.isEmpty()) {
            List<String> allowed = routes.methodsFor(path);
            if (allowed.isEmpty()) {
                return Problem.of(404, "not-found", "No such resource: " + path
                        + " (see GET /openapi.json for the API)", path).toResponse();
            }
            return Problem.of(405, "method-not-allowed", method + " is not allowed on " + path
                    + "; allowed: " + String.join(", ", allowed), path).toResponse(Map.of("Allow", String.join(", ", allowed)));
        }
        byte[] body;
        try {
            body = readBounded(exchange.getRequestBody());
        } catch (BodyTooLargeException e) {
            return Problem.of(413, "request-too-large", "The request body is over " + MAX_BODY_BYTES
                    + " bytes; a Dockerfile may be at most 64 KiB", path).toResponse();
        }
        APIGatewayProxyRequestEvent event = toEvent(exchange, method, path, match.get(), body);
        return match.get().route().handler().handleRequest(event, null);
    }

    private static APIGatewayProxyRequestEvent toEvent(HttpExchange exchange, String method, String path,
                                                       ApiRoutes.Match match, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name, values.get(0));
                multiHeaders.put(name, new ArrayList<>(values));
            }
        });
        Map<String, String> query = new HashMap<>();
        Map<String, List<String>> multiQuery = new HashMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                query.putIfAbsent(k, v);
                multiQuery.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        var identity = new APIGatewayProxyRequestEvent.RequestIdentity()
                .withApiKey(LOCAL_API_KEY)
                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress());
        var context = new APIGatewayProxyRequestEvent.ProxyRequestContext()
                .withRequestId(UUID.randomUUID().toString())
                .withHttpMethod(method)
                .withResourcePath(match.route().resource())
                .withPath(path)
                .withStage("local")
                .withIdentity(identity);
        return new APIGatewayProxyRequestEvent()
                .withHttpMethod(method)
                .withPath(path)
                .withResource(match.route().resource())
                .withPathParameters(match.pathParameters().isEmpty() ? null : match.pathParameters())
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withMultiValueQueryStringParameters(multiQuery.isEmpty() ? null : multiQuery)
                .withHeaders(headers)
                .withMultiValueHeaders(multiHeaders)
                .withRequestContext(context)
                // Always base64, as API Gateway does for binary media types: the bytes reach the handler unchanged.
                .withIsBase64Encoded(true)
                .withBody(Base64.getEncoder().encodeToString(body));
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

    private static void write(HttpExchange exchange, APIGatewayProxyResponseEvent response) throws IOException {
        byte[] bytes = response.getBody() == null ? new byte[0]
                : Boolean.TRUE.equals(response.getIsBase64Encoded())
                ? Base64.getDecoder().decode(response.getBody())
                : response.getBody().getBytes(StandardCharsets.UTF_8);
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        }
        int status = response.getStatusCode() == null ? 500 : response.getStatusCode();
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
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
