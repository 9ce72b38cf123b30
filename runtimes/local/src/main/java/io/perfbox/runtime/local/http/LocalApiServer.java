package io.perfbox.runtime.local.http;

import io.perfbox.api.ApiRequest;
import io.perfbox.api.ApiResponse;
import io.perfbox.api.PerfboxApi;
import io.perfbox.api.Problem;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.logging.JobLogContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.Serial;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The local HTTP API (HTTP on 127.0.0.1 by default; HTTPS with API keys for a team server), on Jetty's core server
 * (no servlets): Jetty's request becomes the API's request record, once, here, with the key's tenant as its caller,
 * and the API's response record is written back as it is. Bodies are read with a bound and a deadline; the key itself
 * never reaches the API or a log. The connections are held by {@link HttpLimits}: a cap (past it the server stops
 * accepting and keeps serving what it has), a share per client address, and deadlines for the TLS handshake, the
 * headers and the body, so that no client, stalled or hostile, stops the server serving the others.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalApiServer.class.getName());
    /** Far above any valid submit (64 KiB Dockerfile, JSON-escaped), far below anything that hurts. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The most a request's line and headers may take together; past it, 431 (Jetty's parser keeps it bounded). */
    public static final int MAX_HEADER_BYTES = 64 * 1024;
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

    private final Server server;
    private final ServerConnector connector;
    private final ConnectionGuard connections;
    private final HttpLimits limits;
    private final boolean https;
    private final PerfboxApi api;
    private final FollowerSlots followers = new FollowerSlots(MAX_FOLLOWERS, MAX_FOLLOWERS_PER_TENANT);
    /** The threads writing a followed stream, interrupted at close so that each stream ends. */
    private final Set<Thread> streaming = ConcurrentHashMap.newKeySet();
    private final Optional<ApiKeys> keys;
    /** Keys are required whatever the store holds (a team server); otherwise from the first key made on. */
    private final boolean keysRequired;
    private final String urlHost;
    private SameOriginGuard guard;
    private final ConsoleAssets console = new ConsoleAssets();
    /** /healthz, /readyz and /metrics; null: not served (the API answers 404). */
    private final Operations operations;

    private LocalApiServer(Server server, ServerConnector connector, ConnectionGuard connections, HttpLimits limits,
                           boolean https, PerfboxApi api, Optional<ApiKeys> keys, boolean keysRequired, String urlHost,
                           Operations operations) {
        this.operations = operations;
        this.server = server;
        this.connector = connector;
        this.connections = connections;
        this.limits = limits;
        this.https = https;
        this.api = api;
        this.keys = keys;
        this.keysRequired = keysRequired;
        this.urlHost = urlHost;
    }

    /** Plain HTTP on 127.0.0.1, every request the local tenant's (the zero-configuration default). */
    public static LocalApiServer start(int port, PerfboxApi api) throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Optional.empty(), Optional.empty(),
                false, List.of(), HttpLimits.DEFAULTS, api);
    }

    /**
     * Serves on {@code address}: HTTPS (TLS 1.2/1.3 only) with {@code tls} if given, else HTTP. With {@code keys},
     * every request needs a valid {@code x-api-key} and is its tenant's when {@code keysRequired} or once the store
     * holds any key (made before or while this server runs); else every request is the local tenant's.
     * A request must name this server in its Host: its address, localhost, or one of {@code serverNames}
     * ({@link SameOriginGuard}). Connections are held by {@code limits}.
     */
    public static LocalApiServer start(InetSocketAddress address, Optional<SSLContext> tls, Optional<ApiKeys> keys,
                                       boolean keysRequired, List<String> serverNames, HttpLimits limits,
                                       PerfboxApi api) throws IOException {
        return start(address, tls, keys, keysRequired, serverNames, limits, api, Optional.empty());
    }

    /** As above, also serving the operator's endpoints ({@link Operations}: /healthz, /readyz, /metrics). */
    public static LocalApiServer start(InetSocketAddress address, Optional<SSLContext> tls, Optional<ApiKeys> keys,
                                       boolean keysRequired, List<String> serverNames, HttpLimits limits,
                                       PerfboxApi api, Optional<Operations> operations) throws IOException {
        // Platform threads select and accept; every request is handled on a virtual thread of its own (handlers
        // block: the API's calls, a followed job's output), so a slow request holds no pooled thread.
        QueuedThreadPool threads = new QueuedThreadPool(32, 4);
        threads.setName("http");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        server.setStopTimeout(1000);
        server.setDumpAfterStart(false);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(http);
        ConnectionFactory[] factories;
        if (tls.isPresent()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls.get());
            ssl.setIncludeProtocols(TLS_PROTOCOLS);
            // SNI is not checked: SameOriginGuard decides by the Host header which names this server answers to.
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            factories = new ConnectionFactory[] {new SslConnectionFactory(ssl, httpFactory.getProtocol()), httpFactory};
        } else {
            factories = new ConnectionFactory[] {httpFactory};
        }
        // One acceptor, two selectors: the machine is small; work goes to virtual threads.
        ServerConnector connector = new ServerConnector(server, 1, 2, factories);
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setAcceptQueueSize(limits.acceptQueue());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setReuseAddress(true);
        server.addConnector(connector);

        // Past the cap the connector stops accepting (the kernel's queue holds or refuses the newcomers) and the
        // connections it has get a shorter idle timeout: the server keeps serving them and sheds the silent ones.
        NetworkConnectionLimit cap = new NetworkConnectionLimit(limits.maxConnections(), connector);
        cap.setEndPointIdleTimeout(limits.idleTimeoutUnderPressure().toMillis());
        server.addBean(cap);
        ConnectionGuard guardConnections = new ConnectionGuard(limits, server.getScheduler());
        connector.addBean(guardConnections);
        server.setErrorHandler(new ProblemErrorHandler());

        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        LocalApiServer local = new LocalApiServer(server, connector, guardConnections, limits, tls.isPresent(), api, keys,
                keysRequired, host.contains(":") ? "[" + host + "]" : host, operations.orElse(null));
        server.setHandler(local.new ApiHandler());
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException(e.getMessage(), e);
        }
        local.guard = new SameOriginGuard(tls.isPresent() ? "https" : "http", address.getAddress(),
                connector.getLocalPort(), serverNames);
        return local;
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // failed to start: nothing more to do
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String baseUrl() {
        return (https ? "https://" : "http://") + urlHost + ":" + port();
    }

    /** The limits this server holds its connections to. */
    public HttpLimits limits() {
        return limits;
    }

    /** Every request, on a virtual thread of its own; the response is complete when {@code handle} returns. */
    private final class ApiHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            connections.requestStarted(remote);
            try {
                serve(request, response);
                callback.succeeded();
            } catch (IOException e) {
                LOG.fine(() -> "client went away: " + e.getMessage());
                callback.failed(e);
            } catch (Throwable e) {
                callback.failed(e);
            } finally {
                connections.responseDone(remote);
            }
            return true;
        }
    }

    private void serve(Request request, Response response) throws IOException {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath() == null ? "/" : uri.getPath();
        String method = request.getMethod();
        ApiResponse answer;
        String tenant = null;
        try {
            InetAddress local = ((InetSocketAddress) request.getConnectionMetaData().getLocalSocketAddress()).getAddress();
            Optional<Problem> refused = guard.check(method, request.getHeaders().getValuesList(HttpHeader.HOST),
                    request.getHeaders().get(HttpHeader.ORIGIN), request.getHeaders().get(SameOriginGuard.CONSOLE_HEADER),
                    local, path);
            boolean consoleFile = refused.isEmpty() && ConsoleAssets.serves(path);
            // After the Host and Origin checks: a rebound page must not read /metrics of a server without keys either.
            boolean operational = refused.isEmpty() && operations != null && Operations.serves(path);
            Optional<String> caller = refused.isPresent() || consoleFile || operational ? Optional.empty() : caller(request);
            if (operational) {
                // Probes carry no key; /metrics is the operator's (its token), never a tenant's (Operations).
                drain(request);
                answer = operations.respond(method, path, request.getHeaders().get(HttpHeader.AUTHORIZATION),
                        keysRequiredNow());
            } else if (consoleFile) {
                // The console's files hold no job data: the page loads without a key and asks for one when the
                // API answers 401.
                drain(request);
                answer = console.respond(method, path, request.getHeaders().get(HttpHeader.IF_NONE_MATCH));
            } else if (refused.isPresent()) {
                drain(request);
                // The line carries the id the refusal answers with, so the two can be matched.
                String requestId = PerfboxApi.requestId(request.getHeaders().get(PerfboxApi.REQUEST_ID));
                answer = JobLogContext.withRequest(requestId, () -> {
                    LOG.info(() -> "refused " + method + " " + path + ": " + refused.get().detail());
                    return PerfboxApi.withRequestId(refused.get().toResponse(), requestId);
                });
            } else if (caller.isEmpty()) {
                drain(request);
                answer = Problem.of(401, "unauthenticated", "A valid API key is needed in the " + API_KEY_HEADER
                        + " header", path).toResponse();
            } else {
                tenant = caller.get();
                answer = api.dispatch(toRequest(request, path, tenant));
            }
        } catch (BodyTooLargeException e) {
            answer = Problem.of(413, "request-too-large", "The request body is over " + MAX_BODY_BYTES
                    + " bytes; a Dockerfile may be at most 64 KiB", path).toResponse();
        } catch (BodyTimeoutException e) {
            // The client stalled mid-body: it gets an answer (it may still read one), and the connection closes.
            answer = Problem.of(408, "request-timeout", "The request body did not arrive within "
                    + seconds(limits.bodyTimeout()) + "; send it at once after the headers", path)
                    .toResponse(Map.of("Connection", "close"));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unexpected error serving " + method + " " + path, e);
            answer = Problem.of(500, "internal-error", "perfbox could not complete the request", path).toResponse();
        }
        answer = PerfboxApi.withRequestId(answer, request.getHeaders().get(PerfboxApi.REQUEST_ID));
        if (answer.stream() != null) {
            stream(request, response, answer, tenant, path);
        } else {
            write(response, answer);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Reads what the client sent (bounded) so it gets the refusal, not a reset connection. */
    private void drain(Request request) throws IOException {
        try {
            readBounded(request);
        } catch (BodyTooLargeException | BodyTimeoutException ignored) {
            // refused anyway
        }
    }

    /** Whether a request needs a key now: always on a team server, else from the first key made on. */
    private boolean keysRequiredNow() {
        return keys.isPresent() && (keysRequired || keys.get().anyMade());
    }

    /** The tenant of the request's key when keys are required, else the local tenant; empty: refuse with 401. */
    private Optional<String> caller(Request request) {
        if (keys.isEmpty() || !keysRequired && !keys.get().anyMade()) {
            return Optional.of(LOCAL_TENANT);
        }
        return keys.get().tenantOf(request.getHeaders().get(API_KEY_HEADER));
    }

    /** The request as the API's request record: the body read with a bound, the caller's tenant. The key is left out. */
    private ApiRequest toRequest(Request request, String path, String caller) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            // The first of a repeated header (ApiRequest's names are case-insensitive).
            if (!field.getName().equalsIgnoreCase(API_KEY_HEADER)) {
                headers.putIfAbsent(field.getName(), field.getValue());
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        String rawQuery = request.getHttpURI().getQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                query.putIfAbsent(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        byte[] body = readBounded(request);
        return new ApiRequest(request.getMethod(), path, Map.of(), query, headers, body, Optional.of(caller));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static final class BodyTooLargeException extends IOException {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    private static final class BodyTimeoutException extends IOException {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * The body, at most {@link #MAX_BODY_BYTES}, all in within the body timeout of the headers (a client that sends
     * a byte now and then resets the idle timeout, not this one).
     */
    private byte[] readBounded(Request request) throws IOException {
        long deadline = System.nanoTime() + limits.bodyTimeout().toNanos();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long seen = 0;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BodyTimeoutException();
                }
                CompletableFuture<Void> ready = new CompletableFuture<>();
                request.demand(() -> ready.complete(null));
                try {
                    ready.get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new BodyTimeoutException();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted reading a request body");
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause());
                }
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                if (failure instanceof TimeoutException) {
                    throw new BodyTimeoutException(); // Jetty's idle timeout, while the body was awaited
                }
                throw failure instanceof IOException io ? io : new IOException(failure);
            }
            try {
                ByteBuffer bytes = chunk.getByteBuffer();
                int n = bytes.remaining();
                seen += n;
                if (seen <= MAX_BODY_BYTES) {
                    byte[] copy = new byte[n];
                    bytes.get(copy);
                    body.write(copy);
                } else if (seen > 17L * MAX_BODY_BYTES) {
                    // Drained a little more so the client reads our 413 instead of a reset connection; then give up.
                    throw new BodyTooLargeException();
                }
                if (chunk.isLast()) {
                    break;
                }
            } finally {
                chunk.release();
            }
        }
        if (seen > MAX_BODY_BYTES) {
            throw new BodyTooLargeException();
        }
        return body.toByteArray();
    }

    private static void write(Response response, ApiResponse answer) throws IOException {
        byte[] bytes = answer.body();
        response.setStatus(answer.status());
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
    }

    /** A followed job's output, chunked, flushed as it comes, within the caps on followers (total and per tenant). */
    private void stream(Request request, Response response, ApiResponse answer, String tenant, String path) throws IOException {
        FollowerSlots.Refusal refusal = followers.tryAcquire(tenant);
        if (refusal != null) {
            Problem problem = refusal == FollowerSlots.Refusal.TENANT_FULL
                    ? Problem.of(429, "too-many-follows", "this API key's tenant follows " + MAX_FOLLOWERS_PER_TENANT
                            + " job outputs already, its share of the server's " + MAX_FOLLOWERS + "; end one, or read"
                            + " the output without follow", path)
                    : Problem.of(503, "too-many-followers", MAX_FOLLOWERS
                            + " clients are following job output already; try again later, or read the output without follow",
                            path);
            write(response, PerfboxApi.withRequestId(problem.toResponse(Map.of("Retry-After", "10")),
                    answer.header(PerfboxApi.REQUEST_ID).orElse(null)));
            return;
        }
        Thread self = Thread.currentThread();
        streaming.add(self);
        try {
            // A job may print nothing for longer than the idle timeout: its follower stays (the cap above bounds them).
            request.addIdleTimeoutListener(timeout -> false);
            response.setStatus(answer.status());
            answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                answer.stream().writeTo(out);
            }
        } finally {
            streaming.remove(self);
            followers.release(tenant);
            Thread.interrupted();
        }
    }

    /**
     * Errors Jetty answers itself, before a request reaches the API (a malformed request line, headers over
     * {@link #MAX_HEADER_BYTES}, an ambiguous URI): problem+json like every other error, never an HTML page.
     */
    private static final class ProblemErrorHandler extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
            if (status < 400) {
                status = 500;
            }
            String refused = request.getAttribute(ERROR_MESSAGE) instanceof String m && !m.isBlank()
                    ? "The request was refused: " + m : "The request was refused";
            String path = request.getHttpURI() == null || request.getHttpURI().getPath() == null ? "/" : request.getHttpURI().getPath();
            // Each slug a literal, so ProblemTypesTest finds it and holds it to ProblemType and openapi.json.
            Problem problem = switch (status) {
                case 400 -> Problem.of(400, "bad-request", refused, path);
                case 408 -> Problem.of(408, "request-timeout", refused, path);
                case 413 -> Problem.of(413, "request-too-large", refused, path);
                case 414 -> Problem.of(414, "uri-too-long", "The request's URI is too long", path);
                case 431 -> Problem.of(431, "headers-too-large", "The request's headers are over " + MAX_HEADER_BYTES
                        + " bytes", path);
                default -> status >= 500 ? Problem.of(500, "internal-error", refused, path)
                        : Problem.of(400, "bad-request", refused, path);
            };
            status = problem.status();
            if (status == 400 && "No Host".equals(request.getAttribute(ERROR_MESSAGE))) {
                // Jetty refuses an HTTP/1.1 request without Host before SameOriginGuard sees it: answered as the
                // guard answers a Host that is not this server's.
                problem = Problem.of(421, "misdirected-request", "The request names no Host: address it by the"
                        + " address the server listens on, localhost, or one of its --server-names", path);
                status = 421;
            }
            // A request id like every other answer's (the client's own, when it sent a valid one).
            String sentId = request.getHeaders() == null ? null : request.getHeaders().get(PerfboxApi.REQUEST_ID);
            ApiResponse answer = PerfboxApi.withRequestId(problem.toResponse(), sentId);
            response.setStatus(status);
            answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }
    }

    /** Connections open now from {@code client}, as its share counts them. */
    public int connectionsFrom(InetAddress client) {
        return connections.openFrom(client);
    }

    /** How many clients follow job output now. */
    public int followersNow() {
        return followers.inUse();
    }

    @Override
    public void close() {
        // Followed streams would otherwise keep the server's stop waiting on them.
        streaming.forEach(Thread::interrupt);
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping the HTTP server", e);
        }
    }
}
