package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API as clients meet it: every response checked against /openapi.json, bad input answered with a
 * 4xx problem+json (never a 5xx), idempotent submits, paging.
 */
@RequiresDocker
class HttpApiIT {
    private static final String OK_DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";
    private static PerfboxProcess server;
    private static Http http;
    private static OpenApiValidator openApi;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "api-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2"));
        http = new Http(server.baseUrl());
        Http.Reply doc = http.get("/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        openApi = new OpenApiValidator(doc.json());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Http.Reply conforming(String template, String method, Http.Reply reply) {
        assertThat(openApi.check(template, method, reply)).as(method + " " + template + " → " + reply.status() + " " + reply.body()).isEmpty();
        return reply;
    }

    private static Http.Reply post(String contentType, byte[] body) throws Exception {
        return conforming("/jobs", "POST", http.send("POST", "/jobs", contentType, body, Map.of()));
    }

    private static void assertProblem(Http.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void everyRouteAnswersAsDocumented() throws Exception {
        Http.Reply submitted = post("text/plain", OK_DOCKERFILE.getBytes(StandardCharsets.UTF_8));
        assertThat(submitted.status()).isEqualTo(202);
        String id = submitted.json().get("id").asText();
        assertThat(submitted.raw().headers().firstValue("Location")).contains("/jobs/" + id);
        assertThat(submitted.json().get("status").asText()).isEqualTo("QUEUED");

        http.awaitEnd(id, Duration.ofMinutes(3));
        conforming("/jobs/{id}", "GET", http.get("/jobs/" + id));
        conforming("/jobs", "GET", http.get("/jobs?limit=5"));
        conforming("/jobs/{id}/logs", "GET", http.get("/jobs/" + id + "/logs"));
        conforming("/jobs/{id}/scan", "GET", http.get("/jobs/" + id + "/scan"));
        assertProblem(conforming("/jobs/{id}/cancel", "POST", http.cancel(id)), 409);
        conforming("/jobs/{id}", "DELETE", http.delete("/jobs/" + id));
        conforming("/jobs/{id}", "GET", http.get("/jobs/" + id));
    }

    @Test
    void jsonSubmitCarriesNameAndDescription() throws Exception {
        var body = Http.JSON.createObjectNode().put("name", "resnet-50").put("description", "lr 0.1").put("dockerfile", OK_DOCKERFILE);
        Http.Reply r = post("application/json", Http.JSON.writeValueAsBytes(body));
        assertThat(r.status()).isEqualTo(202);
        JsonNode job = http.job(r.json().get("id").asText());
        assertThat(job.get("name").asText()).isEqualTo("resnet-50");
        assertThat(job.get("description").asText()).isEqualTo("lr 0.1");
    }

    @Test
    void gzipBase64SubmitIsAccepted() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(OK_DOCKERFILE.getBytes(StandardCharsets.UTF_8));
        }
        var body = Http.JSON.createObjectNode().put("name", "zipped")
                .put("dockerfileGzipBase64", Base64.getEncoder().encodeToString(gz.toByteArray()));
        Http.Reply r = post("application/json", Http.JSON.writeValueAsBytes(body));
        assertThat(r.status()).isEqualTo(202);
        JsonNode job = http.awaitEnd(r.json().get("id").asText(), Duration.ofMinutes(3));
        assertThat(job.get("performance").asDouble()).isEqualTo(0.99);
    }

    @Test
    void retriedSubmitWithTheSameIdempotencyKeyReturnsTheSameJobAndADifferentBodyIs422() throws Exception {
        String key = "retry-" + UUID.randomUUID();
        byte[] body = OK_DOCKERFILE.getBytes(StandardCharsets.UTF_8);
        Http.Reply first = http.send("POST", "/jobs", "text/plain", body, Map.of("Idempotency-Key", key));
        Http.Reply second = http.send("POST", "/jobs", "text/plain", body, Map.of("Idempotency-Key", key));
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        Http.Reply different = http.send("POST", "/jobs", "text/plain",
                "FROM debian:bookworm\nCMD true\n".getBytes(StandardCharsets.UTF_8), Map.of("Idempotency-Key", key));
        assertProblem(conforming("/jobs", "POST", different), 422);
        assertThat(different.json().get("type").asText()).isEqualTo("urn:perfbox:problem:idempotency-key-reused");
    }

    @Test
    void badInputGetsAClearProblemNeverA5xx() throws Exception {
        assertProblem(post("application/json", "{\"dockerfile\": ".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(post("application/json", "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(post("text/plain", new byte[0]), 400);
        assertProblem(post("text/plain", "RUN echo no from\n".getBytes(StandardCharsets.UTF_8)), 400);
        byte[] big = ("FROM debian:bookworm\n" + "#".repeat(64 * 1024)).getBytes(StandardCharsets.UTF_8);
        assertProblem(post("text/plain", big), 413);
        assertProblem(post("application/json", "{\"dockerfileGzipBase64\":\"%%%\"}".getBytes(StandardCharsets.UTF_8)), 400);
        String notGzip = Base64.getEncoder().encodeToString("FROM x".getBytes(StandardCharsets.UTF_8));
        assertProblem(post("application/json", ("{\"dockerfileGzipBase64\":\"" + notGzip + "\"}").getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(post("text/plain", new byte[] {'F', 'R', 'O', 'M', ' ', 'a', '\n', (byte) 0xC3, (byte) 0x28}), 400);
        String longName = "n".repeat(10_000);
        assertProblem(post("application/json", ("{\"name\":\"" + longName + "\",\"dockerfile\":\"FROM a\"}").getBytes(StandardCharsets.UTF_8)), 400);
        assertProblem(post("image/png", OK_DOCKERFILE.getBytes(StandardCharsets.UTF_8)), 415);
        assertProblem(conforming("/jobs/{id}", "GET", http.get("/jobs/not-a-job-id")), 400);
        assertProblem(conforming("/jobs/{id}", "GET", http.get("/jobs/" + UUID.randomUUID())), 404);
        assertProblem(conforming("/jobs/{id}", "DELETE", http.delete("/jobs/" + UUID.randomUUID())), 404);
        assertProblem(conforming("/jobs", "GET", http.get("/jobs?limit=abc")), 400);
        assertProblem(conforming("/jobs", "GET", http.get("/jobs?limit=0")), 400);
        assertProblem(conforming("/jobs", "GET", http.get("/jobs?status=DONE")), 400);
        assertProblem(conforming("/jobs", "GET", http.get("/jobs?nextToken=garbage")), 400);
        assertProblem(http.get("/nothing-here"), 404);
        assertProblem(http.send("PUT", "/jobs", "text/plain", new byte[] {1}, Map.of()), 405);
        assertProblem(http.send("POST", "/jobs", "text/plain", new byte[2 * 1024 * 1024], Map.of()), 413);
    }

    @Test
    void listingIsNewestFirstAndPagesCoverEveryJobOnce() throws Exception {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(0, http.submit("FROM debian:bookworm\nCMD echo " + i + " > /data/perf.json\n"));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            Http.Reply page = conforming("/jobs", "GET", http.get("/jobs?limit=2" + (token == null ? "" : "&nextToken=" + token)));
            page.json().get("jobs").forEach(j -> seen.add(j.get("id").asText()));
            token = page.json().get("nextToken").isNull() ? null : URLEncoder.encode(page.json().get("nextToken").asText(), StandardCharsets.UTF_8);
        } while (token != null);
        Set<String> unique = new HashSet<>(seen);
        assertThat(unique).hasSize(seen.size());
        List<String> ours = seen.stream().filter(submitted::contains).toList();
        assertThat(ours).containsExactlyElementsOf(submitted);
    }
}
