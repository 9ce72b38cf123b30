package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.tls.Pem;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** A small client of perfbox's HTTP API, for the command line: HTTP or HTTPS, with an API key if given. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final URI base;
    private final String apiKey;

    /** Which server certificates an https:// URL accepts. */
    interface Trust {
        SSLContext context() throws IOException;

        /** The JDK's default CAs. */
        static Trust system() {
            return () -> {
                try {
                    return SSLContext.getDefault();
                } catch (GeneralSecurityException e) {
                    throw new IOException(e);
                }
            };
        }

        /** The certificates in a PEM file (a CA, or the server's own self-signed certificate); the host name is checked. */
        static Trust caFile(Path file) {
            return () -> Pem.trusting(file);
        }

        /** Exactly the certificate with this SHA-256 fingerprint (a pin: the name in it is not checked). */
        static Trust pinned(String fingerprint) {
            String pin = Pem.normalizeFingerprint(fingerprint);
            return () -> {
                try {
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(null, new TrustManager[] {new PinnedTrustManager(pin)}, null);
                    return context;
                } catch (GeneralSecurityException e) {
                    throw new IOException(e);
                }
            };
        }
    }

    ApiClient(String baseUrl) throws IOException {
        this(baseUrl, Trust.system(), null);
    }

    ApiClient(String baseUrl, Trust trust, String apiKey) throws IOException {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if ("https".equalsIgnoreCase(base.getScheme())) {
            SSLParameters params = new SSLParameters();
            params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            builder.sslContext(trust.context()).sslParameters(params);
        }
        this.http = builder.build();
        this.apiKey = apiKey;
    }

    record Response(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The problem's detail for an error response, else the raw body. */
        String problem() {
            if (body != null && body.hasNonNull("detail")) {
                return body.get("title").asText("Error") + " (" + status + "): " + body.get("detail").asText();
            }
            return "HTTP " + status + (body == null ? "" : ": " + body);
        }
    }

    Response send(String method, String path, String contentType, byte[] body) throws IOException, InterruptedException {
        try {
            return exchange(method, path, contentType, body, Map.of());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw noServer(e);
        } catch (SSLHandshakeException e) {
            throw untrusted(e);
        }
    }

    /** Attempts of a submit: the first and two retries. */
    static final int SUBMIT_ATTEMPTS = 3;

    /**
     * {@code POST /jobs} with an {@code Idempotency-Key}: when the answer is lost (the connection dropped or timed out
     * after the request went out) or the server is briefly unavailable (502, 503, 504), the same request is sent again
     * with the same key, so the server answers with the job it made the first time instead of making another.
     */
    Response submit(String contentType, byte[] body, String idempotencyKey, PrintStream notices)
            throws IOException, InterruptedException {
        Map<String, String> headers = Map.of("Idempotency-Key", idempotencyKey);
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                Response res = exchange("POST", "/jobs", contentType, body, headers);
                if (!List.of(502, 503, 504).contains(res.status()) || attempt == SUBMIT_ATTEMPTS) {
                    return res;
                }
                failure = "HTTP " + res.status();
            } catch (ConnectException e) {
                if (attempt == 1 || attempt == SUBMIT_ATTEMPTS) {
                    // Nothing was sent the first time: no server; later, it went away while we retried.
                    throw noServer(e);
                }
                failure = "no connection";
            } catch (SSLHandshakeException e) {
                throw untrusted(e);
            } catch (IOException e) {
                if (attempt == SUBMIT_ATTEMPTS) {
                    throw new IOException("no answer from " + base + " to the submit after " + attempt + " attempts ("
                            + e.getMessage() + "); a later submit with --idempotency-key " + idempotencyKey
                            + " returns the job if one was made", e);
                }
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            notices.println("perfbox: the submit got no answer (" + failure + "); sending it again with the same"
                    + " Idempotency-Key (attempt " + (attempt + 1) + " of " + SUBMIT_ATTEMPTS + ")");
            Thread.sleep(500L * attempt);
        }
    }

    /**
     * A part of a job's output as text ({@code GET /jobs/{id}/logs} with {@code Accept: text/plain}): the text from
     * the offset asked for, where to read on, and whether the job ended (nothing more will come). A refusal has
     * status and problem only. Output as the server sent it: {@code bytes} exactly, for a pipe; {@code text()}
     * decoded, for a person.
     */
    record LogChunk(int status, byte[] bytes, long nextOffset, boolean complete, Response refusal) {
        boolean ok() {
            return status == 200;
        }

        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    LogChunk logText(String jobPath, long offset) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve((jobPath.startsWith("/") ? jobPath.substring(1) : jobPath)
                        + "/logs?offset=" + offset))
                .timeout(Duration.ofSeconds(120))
                .header("Accept", "text/plain");
        if (apiKey != null) {
            req.header("x-api-key", apiKey);
        }
        HttpResponse<byte[]> res;
        try {
            res = http.send(req.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw noServer(e);
        } catch (SSLHandshakeException e) {
            throw untrusted(e);
        }
        if (res.statusCode() != 200) {
            return new LogChunk(res.statusCode(), new byte[0], offset, false, new Response(res.statusCode(), bodyJson(res.body())));
        }
        long next = res.headers().firstValue("Perfbox-Next-Offset").map(Long::parseLong).orElse(offset + res.body().length);
        boolean complete = res.headers().firstValue("Perfbox-Log-Complete").map(Boolean::parseBoolean).orElse(false);
        return new LogChunk(200, res.body(), next, complete, null);
    }

    private Response exchange(String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofSeconds(120))
                .header("Accept", "application/json");
        if (apiKey != null) {
            req.header("x-api-key", apiKey);
        }
        headers.forEach(req::header);
        if (body != null) {
            req.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(res.statusCode(), bodyJson(res.body()));
    }

    /** An answer's body as JSON; a body that is not JSON as one text node; none as null. */
    private static JsonNode bodyJson(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    private IOException noServer(IOException e) {
        return new IOException("no perfbox server answers at " + base + ": start one with ./perfbox serve, or point"
                + " at another with --url URL or the environment variable PERFBOX_URL (e.g. export"
                + " PERFBOX_URL=https://perfbox.example:8443)", e);
    }

    private IOException untrusted(SSLHandshakeException e) {
        return new IOException("the server at " + base + " is not trusted (" + e.getMessage()
                + "); check --cacert or --fingerprint", e);
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }

    /** Trusts exactly one server certificate, by its SHA-256 fingerprint. */
    private static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final String pin;

        PinnedTrustManager(String pin) {
            this.pin = pin;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String actual = Pem.fingerprint(chain[0]);
            if (!actual.equals(pin)) {
                throw new CertificateException("the server's certificate has fingerprint " + actual + ", not the pinned " + pin);
            }
            chain[0].checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client certificate is not expected");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client certificate is not expected");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client certificate is not expected");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
