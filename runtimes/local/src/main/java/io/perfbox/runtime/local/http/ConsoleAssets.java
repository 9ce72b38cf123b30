package io.perfbox.runtime.local.http;

import io.perfbox.api.ApiResponse;
import io.perfbox.api.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console's files, served by perfbox itself (no CDN): {@code /} is the console's page, {@code /console/NAME}
 * its scripts and styles, {@code /docs} Swagger UI over {@code /openapi.json}, whose files come from the Swagger UI
 * webjar on the class path ({@code /docs/swagger-ui/NAME}). Only GET and HEAD; the files hold no job data, so they need
 * no API key (the API calls the page makes do). Every page is sent with a Content-Security-Policy that lets it load
 * and call only this server.
 */
final class ConsoleAssets {
    private static final String CONSOLE = "/io/perfbox/runtime/local/console/";
    private static final Pattern CONSOLE_FILE = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(html|css|js|svg|png)");
    private static final Pattern SWAGGER_FILE = Pattern.compile(
            "(swagger-ui-bundle\\.js|swagger-ui-standalone-preset\\.js|swagger-ui\\.css|favicon-(16x16|32x32)\\.png)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");
    /**
     * Scripts and styles from this server only; calls to this server only; images also as data: URIs (Swagger UI's
     * icons); never framed (clickjacking a cancel or delete button); no plugins; forms post nowhere.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final String swaggerUiRoot;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private record Asset(byte[] bytes, String type, String etag) {
    }

    ConsoleAssets() {
        this.swaggerUiRoot = "/META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/";
    }

    /** Whether the path is the console's rather than the API's. */
    static boolean serves(String path) {
        return path.equals("/") || path.equals("/index.html") || path.equals("/docs") || path.equals("/docs/")
                || path.startsWith("/console/") || path.startsWith("/docs/swagger-ui/");
    }

    /** The file at {@code path} ({@link #serves} it), or a problem: 404 for a name it does not have, 405 for a method. */
    ApiResponse respond(String method, String path, String ifNoneMatch) {
        boolean head = method.equalsIgnoreCase("HEAD");
        if (!head && !method.equalsIgnoreCase("GET")) {
            return Problem.of(405, "method-not-allowed", method + " is not allowed on " + path + "; allowed: GET, HEAD",
                    path).toResponse(Map.of("Allow", "GET, HEAD"));
        }
        // Only names that exist are cached (one entry per file): a stream of made-up paths caches nothing.
        Optional<Asset> asset = resource(path).flatMap(r -> cache.computeIfAbsent(r, ConsoleAssets::load));
        if (asset.isEmpty()) {
            return Problem.of(404, "not-found", "No such resource: " + path + " (the console is at /, the API docs at /docs)",
                    path).toResponse();
        }
        Asset a = asset.get();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", a.type());
        // Revalidate every time: a new perfbox version serves new files under the same names.
        headers.put("Cache-Control", "no-cache");
        headers.put("ETag", a.etag());
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (a.type().startsWith("text/html")) {
            headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.put("X-Frame-Options", "DENY");
        }
        if (ifNoneMatch != null && ifNoneMatch.contains(a.etag())) {
            return new ApiResponse(304, headers, new byte[0]);
        }
        if (head) {
            headers.put("Content-Length", Integer.toString(a.bytes().length));
            return new ApiResponse(200, headers, new byte[0]);
        }
        return new ApiResponse(200, headers, a.bytes());
    }

    /** Only names the patterns allow are looked up, so no path can reach another resource of the class path. */
    private Optional<String> resource(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return Optional.of(CONSOLE + "index.html");
        } else if (path.equals("/docs") || path.equals("/docs/")) {
            return Optional.of(CONSOLE + "docs.html");
        } else if (path.startsWith("/console/") && CONSOLE_FILE.matcher(path.substring("/console/".length())).matches()) {
            return Optional.of(CONSOLE + path.substring("/console/".length()));
        } else if (path.startsWith("/docs/swagger-ui/")
                && SWAGGER_FILE.matcher(path.substring("/docs/swagger-ui/".length())).matches()) {
            return Optional.of(swaggerUiRoot + path.substring("/docs/swagger-ui/".length()));
        }
        return Optional.empty();
    }

    private static Optional<Asset> load(String resource) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = resource.substring(resource.lastIndexOf('.') + 1);
            return Optional.of(new Asset(bytes, TYPES.get(extension), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The build writes the webjar's version beside perfbox's own (the webjar keeps its files under it). */
    static String swaggerUiVersion() {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream("/io/perfbox/runtime/local/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
            String v = p.getProperty("swagger-ui.version", "");
            if (v.isBlank() || v.startsWith("${")) {
                throw new IllegalStateException("version.properties names no Swagger UI version: rebuild perfbox");
            }
            return v.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
