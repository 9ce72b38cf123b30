package io.perfbox.runtime.local.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.JobStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/** A test client of the perfbox API over real HTTP. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The finished statuses: core's one list. */
    private static final Set<String> TERMINAL = JobStatus.TERMINAL.stream()
            .map(Enum::name).collect(Collectors.toUnmodifiableSet());
    private final HttpClient client;
    private final String base;
    private final Map<String, String> always;

    public Http(String base) {
        this(base, Map.of());
    }

    /** Sends {@code always} (an API key, say) with every request. */
    public Http(String base, Map<String, String> always) {
        this(base, always, null);
    }

    /** Over HTTPS trusting {@code tls} (a team server's own certificate, say); null: the JDK's defaults. */
    public Http(String base, Map<String, String> always, SSLContext tls) {
        this.base = base;
        this.always = Map.copyOf(always);
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.client = (tls == null ? b : b.sslContext(tls)).build();
    }

    public record Reply(int status, String contentType, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public Reply send(String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
        always.forEach(b::header);
        headers.forEach(b::header);
        if (body != null) {
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null, Map.of());
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, null, Map.of());
    }

    /** {@code POST /jobs/{id}/cancel}. */
    public Reply cancel(String id) throws IOException, InterruptedException {
        return send("POST", "/jobs/" + id + "/cancel", null, null, Map.of());
    }

    /** Submits a Dockerfile as text/plain; returns the new job's id. */
    public String submit(String dockerfile) throws IOException, InterruptedException {
        Reply r = send("POST", "/jobs", "text/plain", dockerfile.getBytes(StandardCharsets.UTF_8), Map.of());
        if (r.status() != 202) {
            throw new AssertionError("submit answered " + r.status() + ": " + r.body());
        }
        return r.json().get("id").asText();
    }

    /** Submits JSON ({@code name}, {@code dockerfile}, …); returns the new job's id. */
    public String submitJson(Map<String, String> fields) throws IOException, InterruptedException {
        Reply r = send("POST", "/jobs", "application/json", JSON.writeValueAsBytes(fields), Map.of());
        if (r.status() != 202) {
            throw new AssertionError("submit answered " + r.status() + ": " + r.body());
        }
        return r.json().get("id").asText();
    }

    public JsonNode job(String id) throws IOException, InterruptedException {
        Reply r = get("/jobs/" + id);
        if (r.status() != 200) {
            throw new AssertionError("GET /jobs/" + id + " answered " + r.status() + ": " + r.body());
        }
        return r.json();
    }

    /** Polls until the job's status satisfies the predicate, or fails after the timeout. */
    public JsonNode awaitJob(String id, Predicate<String> status, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode job = job(id);
        while (!status.test(job.get("status").asText())) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("job " + id + " still " + job.get("status").asText() + " after " + timeout + ": " + job);
            }
            Thread.sleep(250);
            job = job(id);
        }
        return job;
    }

    public JsonNode awaitEnd(String id, Duration timeout) throws IOException, InterruptedException {
        return awaitJob(id, TERMINAL::contains, timeout);
    }
}
