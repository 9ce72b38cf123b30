package io.perfbox.runtime.local.http;

import io.perfbox.api.ApiResponse;
import io.perfbox.api.Problem;
import io.perfbox.runtime.local.observe.Readiness;
import io.perfbox.runtime.local.observe.ServerMetrics;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's endpoints, beside the API: {@code GET /healthz} (the process answers), {@code GET /readyz} (the
 * store, the engine and the scanner are up: 200, else 503 naming those down) and {@code GET /metrics} (Prometheus'
 * text format).
 * <p>
 * /healthz and /readyz need no key (a load balancer's or orchestrator's probe has none) and say nothing a stranger
 * could use: a status and, for readiness, each dependency's name and up or down; both are cheap (the readiness
 * checks' answers are kept a moment, {@link Readiness}). /metrics names the tenants and tells their activity, so on a
 * server that requires keys (a team server, where tenants are strangers to each other) only the operator reads it,
 * with the token of {@code --metrics-token-file} as {@code Authorization: Bearer TOKEN}; a tenant's API key never
 * grants it. Without keys (the loopback server of one user, who sees every job anyway) it is open like the API,
 * unless a token is configured, which is then always required.
 */
public final class Operations {
    public static final String METRICS = "/metrics";
    public static final String HEALTHZ = "/healthz";
    public static final String READYZ = "/readyz";
    /** The shortest metrics token accepted: guessing it must be out of reach. */
    public static final int MIN_TOKEN_LENGTH = 24;

    private final ServerMetrics metrics;
    private final Readiness readiness;
    /** The SHA-256 of the operator's metrics token; compared in constant time. */
    private final Optional<byte[]> tokenSha256;

    public Operations(ServerMetrics metrics, Readiness readiness, Optional<String> metricsToken) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.tokenSha256 = metricsToken.map(Operations::sha256);
    }

    /** The token in {@code file}: one line of at least {@link #MIN_TOKEN_LENGTH} visible ASCII characters. */
    public static String readToken(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("--metrics-token-file " + file + " must hold ASCII text");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--metrics-token-file " + file + " does not exist");
        }
        if (token.length() < MIN_TOKEN_LENGTH || !token.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("--metrics-token-file " + file + " must hold one token of at least "
                    + MIN_TOKEN_LENGTH + " visible characters (e.g. head -c 32 /dev/urandom | base64)");
        }
        return token;
    }

    static boolean serves(String path) {
        return path.equals(METRICS) || path.equals(HEALTHZ) || path.equals(READYZ);
    }

    /** Whether answering {@code path} needs the caller's API key (only /metrics may, and only without a token). */
    static boolean open(String path) {
        return !path.equals(METRICS);
    }

    /**
     * The answer to {@code method path}; {@code authorization} is the request's Authorization header (or null),
     * {@code keysRequired} whether this server requires API keys now.
     */
    ApiResponse respond(String method, String path, String authorization, boolean keysRequired) {
        boolean head = method.equalsIgnoreCase("HEAD");
        if (!head && !method.equalsIgnoreCase("GET")) {
            return Problem.of(405, "method-not-allowed", method + " is not allowed on " + path + "; allowed: GET, HEAD",
                    path).toResponse(Map.of("Allow", "GET, HEAD"));
        }
        ApiResponse answer = switch (path) {
            case HEALTHZ -> ApiResponse.json(200, Map.of("status", "ok"));
            case READYZ -> ready();
            default -> metrics(authorization, keysRequired, path);
        };
        return head ? new ApiResponse(answer.status(), answer.headers(), new byte[0]) : answer;
    }

    private ApiResponse ready() {
        Readiness.Result r = readiness.now();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", r.ready() ? "ready" : "not ready");
        Map<String, String> checks = new LinkedHashMap<>();
        r.checks().forEach((name, up) -> checks.put(name, up ? "up" : "down"));
        body.put("checks", checks);
        if (!r.ready()) {
            body.put("down", r.down());
        }
        return ApiResponse.json(r.ready() ? 200 : 503, body);
    }

    private ApiResponse metrics(String authorization, boolean keysRequired, String path) {
        if (tokenSha256.isPresent()) {
            if (!bearerMatches(authorization)) {
                return Problem.of(401, "unauthenticated", "The metrics need the operator's token (the one in"
                        + " --metrics-token-file) as Authorization: Bearer TOKEN; an API key does not grant them", path)
                        .toResponse(Map.of("WWW-Authenticate", "Bearer realm=\"perfbox metrics\""));
            }
        } else if (keysRequired) {
            return Problem.of(401, "unauthenticated", "The metrics name this server's tenants, so a server that requires"
                    + " API keys serves them only to its operator: start serve with --metrics-token-file FILE and scrape"
                    + " with that token; an API key does not grant them", path)
                    .toResponse(Map.of("WWW-Authenticate", "Bearer realm=\"perfbox metrics\""));
        }
        return new ApiResponse(200, Map.of("Content-Type", metrics.contentType(), "Cache-Control", "no-store"),
                metrics.scrape());
    }

    private boolean bearerMatches(String authorization) {
        if (authorization == null) {
            return false;
        }
        String a = authorization.strip();
        if (a.length() < 7 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(sha256(a.substring(7).strip()), tokenSha256.get());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
