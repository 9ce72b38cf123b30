package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several metrics per job and the leaderboard against a real {@code perfbox serve} (API keys, two tenants, the
 * leaderboard's default direction set to asc): jobs whose perf.json carries metrics, built, scanned and run for real;
 * a bad metric ending the job INVALID_RESULT with the reason; the leaderboard ordering by a metric both ways; the CLI,
 * run as a process, showing the metrics. Every answer is checked against /openapi.json.
 */
@RequiresDocker
class MetricsLeaderboardIT {
    private static PerfboxProcess server;
    private static OpenApiValidator openApi;
    private static Http tenantA;
    private static Http tenantB;
    private static Map<String, String> cliEnv;
    private static String cliWaitOutput;
    private static final List<String> A = new ArrayList<>();
    private static String nonNumeric;
    private static String tooMany;
    private static String theirs;

    private static String dockerfile(String perfJson) {
        return "FROM debian:bookworm\nCMD echo '" + perfJson + "' > /data/perf.json\n";
    }

    private record Cli(int exitCode, String out, String err) {
    }

    /** The CLI run as a process, as a user's shell runs it (no PERFBOX_* of this JVM, only {@code env}). */
    private static Cli cli(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.perfbox.runtime.local.cli.PerfboxCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).isTrue();
        return new Cli(p.exitValue(), out, err.get());
    }

    private static String newKey(Path dataDir, String tenant) throws Exception {
        Cli created = cli(Map.of(), "keys", "create", "--tenant", tenant, "--data-dir", dataDir.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        String[] lines = created.out().strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    @BeforeAll
    static void submitJobsOfTwoTenants() throws Exception {
        Path dataDir = Path.of("target", "e2e", "metrics-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2", "--require-keys",
                "--leaderboard-order", "asc"));
        String keyA = newKey(dataDir, "team-a");
        String keyB = newKey(dataDir, "team-b");
        tenantA = new Http(server.baseUrl(), Map.of("x-api-key", keyA));
        tenantB = new Http(server.baseUrl(), Map.of("x-api-key", keyB));
        openApi = new OpenApiValidator(tenantA.get("/openapi.json").json());

        // The first through the CLI, as a user would: submit --wait prints its metrics.
        Path file = dataDir.resolveSibling(dataDir.getFileName() + "-Dockerfile");
        Files.writeString(file, dockerfile("{\"perf\":0.5,\"metrics\":{\"loss\":0.4,\"accuracy\":0.5}}"));
        cliEnv = Map.of("PERFBOX_URL", server.baseUrl(), "PERFBOX_API_KEY", keyA);
        Cli waited = cli(cliEnv, "submit", file.toString(), "--wait");
        assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
        cliWaitOutput = waited.out();
        Matcher submitted = Pattern.compile("submitted job (\\S+) ").matcher(cliWaitOutput);
        assertThat(submitted.find()).as(cliWaitOutput).isTrue();
        A.add(submitted.group(1));
        // Submitted one after another, so submission order is list order; the loss of the third ties the first's.
        A.add(tenantA.submit(dockerfile("{\"perf\":0.9,\"metrics\":{\"loss\":0.1,\"accuracy\":0.9}}")));
        A.add(tenantA.submit(dockerfile("{\"perf\":0.7,\"metrics\":{\"loss\":0.4}}")));
        nonNumeric = tenantA.submit(dockerfile("{\"perf\":0.95,\"metrics\":{\"loss\":\"low\"}}"));
        tooMany = tenantA.submit(dockerfile("{\"perf\":0.96,\"metrics\":{" + IntStream.range(0, 33)
                .mapToObj(i -> "\"m" + i + "\":" + i).collect(Collectors.joining(",")) + "}}"));
        theirs = tenantB.submit(dockerfile("{\"perf\":0.99,\"metrics\":{\"loss\":0.01}}"));
        for (String id : List.of(A.get(1), A.get(2), nonNumeric, tooMany)) {
            tenantA.awaitEnd(id, Duration.ofMinutes(3));
        }
        tenantB.awaitEnd(theirs, Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static JsonNode conforming(Http http, String template, String path) throws Exception {
        Http.Reply reply = http.get(path);
        assertThat(openApi.check(template, "GET", reply)).as("GET " + path + " → " + reply.status() + " " + reply.body())
                .isEmpty();
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static List<String> ids(JsonNode body, String field) {
        List<String> out = new ArrayList<>();
        body.path(field).forEach(e -> out.add(e.path("id").asText()));
        return out;
    }

    @Test
    void aJobsMetricsAreStoredAndReturnedBesideItsPerformance() throws Exception {
        JsonNode job = conforming(tenantA, "/jobs/{id}", "/jobs/" + A.get(1));
        assertThat(job.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(job.path("performance").asDouble()).isEqualTo(0.9);
        assertThat(job.path("metrics").path("loss").asDouble()).isEqualTo(0.1);
        assertThat(job.path("metrics").path("accuracy").asDouble()).isEqualTo(0.9);
        JsonNode listed = conforming(tenantA, "/jobs", "/jobs?status=SUCCEEDED");
        // Each job's own metrics (its runs' metrics are under runResults).
        assertThat(listed.path("jobs")).hasSize(3).extracting(j -> j.path("metrics"))
                .anySatisfy(m -> assertThat(m.path("loss").asDouble()).isEqualTo(0.4));
    }

    @Test
    void aBadMetricEndsTheJobInvalidResultSayingWhy() throws Exception {
        JsonNode job = conforming(tenantA, "/jobs/{id}", "/jobs/" + nonNumeric);
        assertThat(job.path("status").asText()).isEqualTo("FAILED");
        assertThat(job.path("failure").path("code").asText()).isEqualTo("INVALID_RESULT");
        assertThat(job.path("failure").path("message").asText()).isEqualTo("metric \"loss\" must be a number, not string");
        assertThat(job.path("performance").isNull()).isTrue();
        JsonNode many = tenantA.job(tooMany);
        assertThat(many.path("failure").path("code").asText()).isEqualTo("INVALID_RESULT");
        assertThat(many.path("failure").path("message").asText()).isEqualTo("\"metrics\" has 33 entries; at most 32 are allowed");
    }

    @Test
    void theLeaderboardUsesTheServersDefaultDirectionAndEitherOneWhenAsked() throws Exception {
        JsonNode byDefault = conforming(tenantA, "/leaderboard", "/leaderboard");
        assertThat(byDefault.path("metric").asText()).isEqualTo("performance");
        assertThat(byDefault.path("order").asText()).isEqualTo("asc");
        assertThat(ids(byDefault, "entries")).as("failed jobs left out").containsExactly(A.get(0), A.get(2), A.get(1));
        JsonNode desc = conforming(tenantA, "/leaderboard", "/leaderboard?order=desc&limit=2");
        assertThat(ids(desc, "entries")).containsExactly(A.get(1), A.get(2));
        assertThat(desc.path("entries").get(0).path("rank").asInt()).isEqualTo(1);
        assertThat(desc.path("entries").get(0).path("value").asDouble()).isEqualTo(0.9);
    }

    @Test
    void theLeaderboardOrdersByAMetricBothWaysEqualValuesEarlierSubmissionFirst() throws Exception {
        JsonNode asc = conforming(tenantA, "/leaderboard", "/leaderboard?metric=loss&order=asc");
        assertThat(ids(asc, "entries")).containsExactly(A.get(1), A.get(0), A.get(2));
        assertThat(asc.path("entries").findValuesAsText("value")).containsExactly("0.1", "0.4", "0.4");
        JsonNode desc = conforming(tenantA, "/leaderboard", "/leaderboard?metric=loss&order=desc");
        assertThat(ids(desc, "entries")).containsExactly(A.get(0), A.get(2), A.get(1));
        JsonNode accuracy = conforming(tenantA, "/leaderboard", "/leaderboard?metric=accuracy&order=desc");
        assertThat(ids(accuracy, "entries")).as("the job without accuracy is left out").containsExactly(A.get(1), A.get(0));
    }

    @Test
    void theHistoryChartsAMetricOverSuccessiveSubmissionsOldestFirst() throws Exception {
        JsonNode history = conforming(tenantA, "/leaderboard/history", "/leaderboard/history?metric=loss");
        assertThat(ids(history, "points")).containsExactly(A.get(0), A.get(1), A.get(2));
        List<Instant> times = history.path("points").findValuesAsText("createdAt").stream().map(Instant::parse).toList();
        assertThat(times).isSorted();
        assertThat(history.path("points").findValuesAsText("value")).containsExactly("0.4", "0.1", "0.4");
    }

    @Test
    void anotherTenantsJobsNeverAppear() throws Exception {
        assertThat(ids(conforming(tenantB, "/leaderboard", "/leaderboard?metric=loss"), "entries")).containsExactly(theirs);
        assertThat(ids(conforming(tenantA, "/leaderboard", "/leaderboard?metric=loss&order=asc"), "entries"))
                .doesNotContain(theirs);
        assertThat(ids(conforming(tenantB, "/leaderboard/history", "/leaderboard/history"), "points")).containsExactly(theirs);
    }

    @Test
    void badLeaderboardParametersAre400Problems() throws Exception {
        for (String query : List.of("order=sideways", "metric=top%201", "metric=", "limit=0", "limit=101")) {
            Http.Reply reply = tenantA.get("/leaderboard?" + query);
            assertThat(openApi.check("/leaderboard", "GET", reply)).as(query).isEmpty();
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertThat(reply.contentType()).startsWith("application/problem+json");
        }
        assertThat(tenantA.get("/leaderboard/history?limit=1001").status()).isEqualTo(400);
    }

    @Test
    void theCliShowsAJobsMetrics() throws Exception {
        assertThat(cliWaitOutput).contains("performance: 0.5").contains("metrics:     accuracy=0.5 loss=0.4");
        Cli status = cli(cliEnv, "status", A.get(1));
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("\"metrics\"").contains("\"loss\" : 0.1").contains("\"accuracy\" : 0.9");
    }
}
