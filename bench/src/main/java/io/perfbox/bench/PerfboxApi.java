package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.JobStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The few calls of perfbox's HTTP API the benchmarks make, as a customer would make them. */
final class PerfboxApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The finished statuses as the API writes them: core's one list ({@link JobStatus#TERMINAL}). */
    private static final Set<String> TERMINAL = JobStatus.TERMINAL.stream().map(JobStatus::name)
            .collect(Collectors.toUnmodifiableSet());

    final String baseUrl;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PerfboxApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A Dockerfile whose run writes {@code perf} as its result, so each job's result tells which job it is. */
    static String dockerfileWithPerf(String perf) {
        return "FROM debian:bookworm\nCMD echo '{\"perf\":" + perf + "}' > /data/perf.json\n";
    }

    /** POST /jobs; returns the new job's id. */
    String submit(String dockerfile) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(dockerfile)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST /jobs answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asText();
    }

    /** POST /jobs as JSON with a run count; returns the new job's id. */
    String submit(String dockerfile, int runs) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("dockerfile", dockerfile, "runs", runs));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST /jobs answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asText();
    }

    /** POST /jobs/{id}/cancel; a job that ended already is left as it is. */
    void cancel(String id) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls every 100 ms until the job has ended; returns it. */
    JsonNode awaitEnd(String id) throws IOException, InterruptedException {
        while (true) {
            JsonNode job = job(id);
            if (isTerminal(job.get("status").asText())) {
                return job;
            }
            Thread.sleep(100);
        }
    }

    /** Polls every 50 ms until the job is in {@code status}; fails if it ends first. */
    void awaitStatus(String id, String status) throws IOException, InterruptedException {
        while (true) {
            JsonNode job = job(id);
            String now = job.get("status").asText();
            if (now.equals(status)) {
                return;
            }
            if (isTerminal(now)) {
                throw new IllegalStateException("job ended before " + status + ": " + job);
            }
            Thread.sleep(50);
        }
    }

    /** GET /jobs/{id}. */
    JsonNode job(String id) throws IOException, InterruptedException {
        return get("/jobs/" + id);
    }

    /** GET /jobs?limit=N: the newest jobs first. */
    JsonNode newest(int limit) throws IOException, InterruptedException {
        return get("/jobs?limit=" + limit);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Submits and polls every 20 ms until SUCCEEDED; any other end is an error. Returns the job id. */
    String submitAndWait(String dockerfile) throws IOException, InterruptedException {
        String id = submit(dockerfile);
        while (true) {
            JsonNode job = job(id);
            String status = job.get("status").asText();
            if (status.equals("SUCCEEDED")) {
                return id;
            }
            if (isTerminal(status)) {
                throw new IllegalStateException("benchmark job ended " + job);
            }
            Thread.sleep(20);
        }
    }

    static boolean isTerminal(String status) {
        return TERMINAL.contains(status);
    }

    /** A stage time of a job as the API shows it, e.g. stages.queuedAt; null when not reached. */
    static Instant stage(JsonNode job, String name) {
        JsonNode v = job.path("stages").path(name);
        return v.isTextual() ? Instant.parse(v.asText()) : null;
    }
}
