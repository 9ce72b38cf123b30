package io.perfbox.runtime.local.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.logging.JobLogContext;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local HTTP API (HTTP on 127.0.0.1 by default; HTTPS with API keys for a team server): the JDK server's exchange
 * becomes the API's request record, once, here, with the key's tenant as its caller, and the API's response record is
 * written back as it is. Bodies are read with a bound; the key itself never reaches the API or a log.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalApiServer.class.getName());
    /** Far above any valid submit (64 KiB Dockerfile, JSON-escaped), far below anything that hurts. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The loopback server has one user, the tenant every job it stores belongs to. */
    public static final String LOCAL_TENANT = "local";

    /** The header that carries an API key. */
    public static final String API_KEY_HEADER = "x-api-key";
    /** The only TLS versions offered. */
    public static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * Clients following a job's output at once. Each holds a connection and a (virtual) thread until its job ends;
     * past this many a follow is refused with 503 rather than let followers grow without bound.
     */
    public static final int MAX_FOLLOWERS = 64;
    /**
     * Follows one tenant may hold at once: an eighth of the total, so that a tenant following its own jobs over and
     * over leaves the rest to the others (README, Team server).
     */
    public static final int MAX_FOLLOWERS_PER_TENANT = MAX_FOLLOWERS / 8;

    /**
     * Connections open at once; past it the JDK server closes a new connection at once and keeps serving the ones it
     * has. Each connection costs a TLS engine's buffers (about 85 KiB): 512 of them fit the 200 MiB heap with room.
     */
    public static final int MAX_CONNECTIONS = 512;
    /**
     * Seconds a connection may take from its accept to a request's headers, TLS handshake included: a client that
     * stalls (a handshake's first bytes, then nothing; headers a byte at a time) is closed after it.
     */
    public static final int MAX_REQUEST_SECONDS = 10;

    static {
        // The JDK server reads these once, when its classes load: before the first server is made.
        setIfAbsent("jdk.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS));
        setIfAbsent("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", String.valueOf(64 * 1024));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private final HttpServer server;
    private final PerfboxApi api;
    private final FollowerSlots followers = new FollowerSlots(MAX_FOLLOWERS, MAX_FOLLOWERS_PER_TENANT);
    /** The threads writing a followed stream, interrupted at close so that each stream ends. */
    private final java.util.Set<Thread> streaming = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Optional<ApiKeys> keys;
    /** Keys are required whatever the store holds (a team server); otherwise from the first key made on. */
    private final boolean keysRequired;
    private final String urlHost;
    private final SameOriginGuard guard;
    private final ConsoleAssets console = new ConsoleAssets();

    private LocalApiServer(HttpServer server, PerfboxApi api, Optional<ApiKeys> keys, boolean keysRequired, String urlHost,
                           SameOriginGuard guard) {
        this.server = server;
        this.api = api;
        this.keys = keys;
        this.keysRequired = keysRequired;
        this.urlHost = urlHost;
        this.guard = guard;
    }

    /** Plain HTTP on 127.0.0.1, every request the local tenant's (the zero-configuration default). */
    public static LocalApiServer start(int port, PerfboxApi api) throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Optional.empty(), Optional.empty(),
                false, List.of(), api);
    }

    /**
     * Serves on {@code address}: HTTPS (TLS 1.2/1.3 only) with {@code tls} if given, else HTTP. With {@code keys},
     * every request needs a valid {@code x-api-key} and is its tenant's when {@code keysRequired} or once the store
     * holds any key (made before or while this server runs); else every request is the local tenant's.
     * A request must name this server in its Host: its address, localhost, or one of {@code serverNames}
     * ({@link SameOriginGuard}).
     */
    public static LocalApiServer start(InetSocketAddress address, Optional<SSLContext> tls, Optional<ApiKeys> keys,
                                       boolean keysRequired, List<String> serverNames, PerfboxApi api) throws IOException {
        HttpServer server;
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(address, 128);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = getSSLContext().getDefaultSSLParameters();
                    p.setProtocols(TLS_PROTOCOLS);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        } else {
            server = HttpServer.create(address, 128);
        }
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        SameOriginGuard guard = new SameOriginGuard(tls.isPresent() ? "https" : "http", address.getAddress(),
                server.getAddress().getPort(), serverNames);
        LocalApiServer local = new LocalApiServer(server, api, keys, keysRequired, host.contains(":") ? "[" + host + "]" : host, guard);
        server.createContext("/", local::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return local;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return (server instanceof HttpsServer ? "https://" : "http://") + urlHost + ":" + port();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            ApiResponse response;
            ApiRequest request = null;
            String tenant = null;
            try {
                Optional<Problem> refused = guard.check(exchange.getRequestMethod(), exchange.getRequestHeaders().get("Host"),
                        exchange.getRequestHeaders().getFirst("Origin"),
                        exchange.getRequestHeaders().getFirst(SameOriginGuard.CONSOLE_HEADER), exchange.getLocalAddress().getAddress(),
                        exchange.getRequestURI().getRawPath());
                String path = exchange.getRequestURI().getRawPath();
                boolean consoleFile = refused.isEmpty() && ConsoleAssets.serves(path);
                Optional<String> caller = refused.isPresent() || consoleFile ? Optional.empty() : caller(exchange);
                if (consoleFile) {
                    // The console's files hold no job data: the page loads without a key and asks for one when the
                    // API answers 401.
                    drain(exchange);
                    response = console.respond(exchange.getRequestMethod(), path,
                            exchange.getRequestHeaders().getFirst("If-None-Match"));
                } else if (refused.isPresent()) {
                    drain(exchange);
                    // The line carries the id the refusal answers with, so the two can be matched.
                    String requestId = PerfboxApi.requestId(exchange.getRequestHeaders().getFirst(PerfboxApi.REQUEST_ID));
                    response = JobLogContext.withRequest(requestId, () -> {
                        LOG.info(() -> "refused " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                                + ": " + refused.get().detail());
                        return PerfboxApi.withRequestId(refused.get().toResponse(), requestId);
                    });
                } else if (caller.isEmpty()) {
                    drain(exchange);
                    response = Problem.of(401, "unauthenticated", "A valid API key is needed in the " + API_KEY_HEADER
                            + " header", exchange.getRequestURI().getRawPath()).toResponse();
                } else {
                    tenant = caller.get();
                    request = toRequest(exchange, tenant);
                    response = api.dispatch(request);
                }
            } catch (BodyTooLargeException e) {
                String path = exchange.getRequestURI().getRawPath();
                response = Problem.of(413, "request-too-large", "The request body is over " + MAX_BODY_BYTES
                        + " bytes; a Dockerfile may be at most 64 KiB", path).toResponse();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "unexpected error serving " + exchange.getRequestURI(), e);
                response = Problem.of(500, "internal-error", "perfbox could not complete the request",
                        exchange.getRequestURI().getRawPath()).toResponse();
            }
            response = PerfboxApi.withRequestId(response, exchange.getRequestHeaders().getFirst(PerfboxApi.REQUEST_ID));
            if (response.stream() != null) {
                stream(exchange, response, tenant);
            } else {
                write(exchange, response);
            }
        } catch (IOException e) {
            LOG.fine(() -> "client went away: " + e.getMessage());
        }
    }

    /** Reads what the client sent (bounded) so it gets the refusal, not a reset connection. */
    private static void drain(HttpExchange exchange) throws IOException {
        try {
            readBounded(exchange.getRequestBody());
        } catch (BodyTooLargeException ignored) {
            // refused anyway
        }
    }

    /** The tenant of the request's key when keys are required, else the local tenant; empty: refuse with 401. */
    private Optional<String> caller(HttpExchange exchange) {
        if (keys.isEmpty() || !keysRequired && !keys.get().anyMade()) {
            return Optional.of(LOCAL_TENANT);
        }
        return keys.get().tenantOf(exchange.getRequestHeaders().getFirst(API_KEY_HEADER));
    }

    /** The exchange as the API's request record: the body read with a bound, the caller's tenant. The key is left out. */
    private static ApiRequest toRequest(HttpExchange exchange, String caller) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty() && !name.equalsIgnoreCase(API_KEY_HEADER)) {
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
                headers, body, Optional.of(caller));
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

    /** A followed job's output, chunked, flushed as it comes, within the caps on followers (total and per tenant). */
    private void stream(HttpExchange exchange, ApiResponse response, String tenant) throws IOException {
        FollowerSlots.Refusal refusal = followers.tryAcquire(tenant);
        if (refusal != null) {
            Problem problem = refusal == FollowerSlots.Refusal.TENANT_FULL
                    ? Problem.of(429, "too-many-follows", "this API key's tenant follows " + MAX_FOLLOWERS_PER_TENANT
                            + " job outputs already, its share of the server's " + MAX_FOLLOWERS + "; end one, or read"
                            + " the output without follow", exchange.getRequestURI().getRawPath())
                    : Problem.of(503, "too-many-followers", MAX_FOLLOWERS
                            + " clients are following job output already; try again later, or read the output without follow",
                            exchange.getRequestURI().getRawPath());
            write(exchange, PerfboxApi.withRequestId(problem.toResponse(Map.of("Retry-After", "10")),
                    response.header(PerfboxApi.REQUEST_ID).orElse(null)));
            return;
        }
        Thread self = Thread.currentThread();
        streaming.add(self);
        try {
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(response.status(), 0);
            try (OutputStream out = exchange.getResponseBody()) {
                response.stream().writeTo(out);
            }
        } finally {
            streaming.remove(self);
            followers.release(tenant);
            Thread.interrupted();
        }
    }

    /** How many clients follow job output now. */
    public int followersNow() {
        return followers.inUse();
    }

    @Override
    public void close() {
        // Followed streams would otherwise keep the server's stop waiting on them.
        streaming.forEach(Thread::interrupt);
        server.stop(1);
    }
}
