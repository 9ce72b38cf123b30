package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Repeated runs against a real {@code perfbox serve} and the real Docker engine: an image whose every run writes a
 * number of its own (from /dev/urandom: nothing a run could carry over, as /data is fresh) and a marker file, and
 * reports -1 instead if it finds anything in /data when it starts; the median, min, max and spread the API reports
 * held to the values it reports for each run, odd and even counts, one run as before, a failing run named, a cancel
 * during a run, the CLI run as a process, and every answer checked against /openapi.json.
 */
@RequiresDocker
class RepeatedRunsIT {
    /**
     * Run k of a job: /data must be empty when it starts (a file of an earlier run would be seen: -1), then a marker
     * and a random value. {@code sleep} delays the value (for the cancel).
     */
    private static String dockerfile(int sleepSeconds) {
        return "FROM debian:bookworm\n"
                + "CMD if [ -n \"$(ls -A /data)\" ]; then echo \"found in /data: $(ls -A /data)\"; echo '{\"perf\":-1}' > /data/perf.json; exit 0; fi;"
                + " touch /data/marker-of-this-run; sleep " + sleepSeconds + ";"
                + " v=$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); echo \"value $v\"; echo \"{\\\"perf\\\":$v}\" > /data/perf.json\n";
    }

    private static PerfboxProcess server;
    private static Http http;
    private static OpenApiValidator openApi;
    private static final Map<Integer, String> BY_RUNS = new LinkedHashMap<>();
    private static String failing;
    private static String cliOut;
    private static String cliJob;

    private static String submit(String dockerfile, Object runs) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dockerfile", dockerfile);
        if (runs != null) {
            body.put("runs", runs);
        }
        Http.Reply r = http.send("POST", "/jobs", "application/json", Http.JSON.writeValueAsBytes(body), Map.of());
        assertThat(openApi.check("/jobs", "POST", r)).as(r.body()).isEmpty();
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json().get("id").asText();
    }

    @BeforeAll
    static void runJobsOfSeveralRuns() throws Exception {
        Path dataDir = Path.of("target", "e2e", "runs-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2"));
        http = new Http(server.baseUrl());
        openApi = new OpenApiValidator(http.get("/openapi.json").json());

        BY_RUNS.put(1, submit(dockerfile(0), null));
        BY_RUNS.put(3, submit(dockerfile(0), 3));
        BY_RUNS.put(4, submit(dockerfile(0), 4));
        failing = submit("FROM debian:bookworm\nCMD echo '{\"perf\":1}' > /data/perf.json; exit 3\n", 3);

        // The CLI, as a user runs it: submit --runs 2 --wait prints the runs.
        Path file = dataDir.resolveSibling(dataDir.getFileName() + "-Dockerfile");
        Files.writeString(file, dockerfile(0));
        Cli waited = cli("submit", file.toString(), "--runs", "2", "--wait");
        assertThat(waited.exitCode()).as(waited.out() + waited.err()).isZero();
        cliOut = waited.out();
        var m = Pattern.compile("submitted job (\\S+) ").matcher(cliOut);
        assertThat(m.find()).as(cliOut).isTrue();
        cliJob = m.group(1);

        for (String id : BY_RUNS.values()) {
            http.awaitEnd(id, Duration.ofMinutes(4));
        }
        http.awaitEnd(failing, Duration.ofMinutes(4));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private record Cli(int exitCode, String out, String err) {
    }

    private static Cli cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.perfbox.runtime.local.cli.PerfboxCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        pb.environment().put("PERFBOX_URL", server.baseUrl());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Cli(p.exitValue(), out, "");
    }

    private static JsonNode job(String id) throws Exception {
        Http.Reply reply = http.get("/jobs/" + id);
        assertThat(openApi.check("/jobs/{id}", "GET", reply)).as(reply.body()).isEmpty();
        assertThat(reply.status()).isEqualTo(200);
        return reply.json();
    }

    private static String runLog(String id) throws Exception {
        return http.get("/jobs/" + id + "/logs").json().path("run").path("text").asText();
    }

    private static List<Double> values(JsonNode job) {
        List<Double> out = new ArrayList<>();
        job.path("runResults").forEach(r -> out.add(r.path("value").asDouble()));
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Each run's value is its own, none saw another's files, and the job reports their median, min, max, spread. */
    private static void assertRunsOf(String id, int runs) throws Exception {
        JsonNode job = job(id);
        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.path("runs").asInt()).isEqualTo(runs);
        List<Double> values = values(job);
        assertThat(values).as("no run found anything in /data").hasSize(runs).doesNotContain(-1.0);
        List<Integer> numbers = new ArrayList<>();
        job.path("runResults").forEach(r -> {
            numbers.add(r.path("run").asInt());
            assertThat(r.path("durationSeconds").asDouble()).isPositive();
        });
        assertThat(numbers).isEqualTo(IntStream.rangeClosed(1, runs).boxed().toList());
        String log = runLog(id);
        for (double v : values) {
            assertThat(log).contains("value " + (long) v);
        }
        assertThat(log).doesNotContain("found in /data");
        double median = median(values);
        double min = values.stream().min(Double::compare).orElseThrow();
        double max = values.stream().max(Double::compare).orElseThrow();
        assertThat(job.path("performance").asDouble()).isEqualTo(median);
        JsonNode summary = job.path("runSummary");
        assertThat(summary.path("completed").asInt()).isEqualTo(runs);
        assertThat(summary.path("median").asDouble()).isEqualTo(median);
        assertThat(summary.path("min").asDouble()).isEqualTo(min);
        assertThat(summary.path("max").asDouble()).isEqualTo(max);
        assertThat(summary.path("spread").asDouble())
                .isCloseTo((max - min) / Math.abs(median), Offset.offset(1e-12));
        if (runs > 1) {
            assertThat(new HashSet<>(values)).as("a value of its own per run").hasSizeGreaterThan(1);
            for (int k = 1; k <= runs; k++) {
                assertThat(log).contains("[perfbox] run " + k + " of " + runs + "\n");
            }
            assertThat(log).containsSubsequence(IntStream.rangeClosed(1, runs)
                    .mapToObj(k -> "[perfbox] run " + k + " of " + runs).toList());
        }
    }

    @Test
    void anOddCountRunsThatManyTimesEachOnAFreshDataAndTakesTheMedian() throws Exception {
        assertRunsOf(BY_RUNS.get(3), 3);
    }

    @Test
    void anEvenCountTakesTheMeanOfTheTwoMiddleValues() throws Exception {
        assertRunsOf(BY_RUNS.get(4), 4);
    }

    @Test
    void aSubmissionWithoutRunsRunsOnceAsBefore() throws Exception {
        assertRunsOf(BY_RUNS.get(1), 1);
        JsonNode job = job(BY_RUNS.get(1));
        assertThat(job.path("runSummary").path("spread").asDouble()).isZero();
        assertThat(runLog(BY_RUNS.get(1))).doesNotContain("[perfbox] run");
    }

    @Test
    void aFailingRunEndsTheJobNamingTheRunAndNoOtherRunStarts() throws Exception {
        JsonNode job = job(failing);
        assertThat(job.path("status").asText()).isEqualTo("FAILED");
        assertThat(job.path("failure").path("code").asText()).isEqualTo("RUN_FAILED");
        assertThat(job.path("failure").path("message").asText()).isEqualTo("run 1 of 3: The container exited with code 3");
        assertThat(job.path("runResults")).isEmpty();
        assertThat(job.path("performance").isNull()).isTrue();
        assertThat(runLog(failing)).contains("[perfbox] run 1 of 3").doesNotContain("run 2 of 3");
        assertThat(Docker.containersOf(failing)).isEmpty();
    }

    @Test
    void aJobCancelledDuringARunStopsThereWithTheRunsBeforeIt() throws Exception {
        // Submitted here, so it runs when the others are done: its runs sleep 6 s before they write their value.
        String cancelled = submit(dockerfile(6), 3);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        // The output as it is produced, until run 2 is under way (it sleeps 6 s before it writes its value).
        String output = "";
        while (!output.contains("[perfbox] run 2 of 3")) {
            assertThat(Instant.now()).as(output).isBefore(deadline);
            Thread.sleep(200);
            output = http.send("GET", "/jobs/" + cancelled + "/logs?offset=0", null, null,
                    Map.of("Accept", "text/plain")).body();
        }
        assertThat(values(job(cancelled))).hasSize(1);
        Http.Reply reply = http.cancel(cancelled);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);

        JsonNode ended = http.awaitEnd(cancelled, Duration.ofMinutes(1));
        assertThat(ended.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(values(ended)).hasSize(1).doesNotContain(-1.0);
        Thread.sleep(2000);
        assertThat(values(job(cancelled))).hasSize(1);
        assertThat(runLog(cancelled)).contains("[perfbox] run 2 of 3").doesNotContain("run 3 of 3");
        assertThat(Docker.containersOf(cancelled)).isEmpty();
    }

    @Test
    void theCliSubmitsRunsAndPrintsEachRunAndTheirSpread() throws Exception {
        assertRunsOf(cliJob, 2);
        assertThat(cliOut).contains("runs:        2 of 2 (median ", "run 1:       ", "run 2:       ", "spread ");
        Cli status = cli("status", cliJob, "-o", "table");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("runs:        2 of 2 (median ");
    }

    @Test
    void aRunsCountOutOfRangeOrAStringIs400ProblemAndSubmitsNothing() throws Exception {
        int before = http.get("/jobs?limit=100").json().path("jobs").size();
        for (String runs : List.of("0", "11", "\"3\"", "2.5", "-1")) {
            byte[] body = ("{\"dockerfile\":\"FROM debian:bookworm\\n\",\"runs\":" + runs + "}")
                    .getBytes(StandardCharsets.UTF_8);
            Http.Reply r = http.send("POST", "/jobs", "application/json", body, Map.of());
            assertThat(r.status()).as(runs + ": " + r.body()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("type").asText()).isEqualTo("urn:perfbox:problem:invalid-runs");
            assertThat(r.json().path("detail").asText()).contains("\"runs\"", "1 to 10");
            assertThat(openApi.check("/jobs", "POST", r)).as(r.body()).isEmpty();
        }
        assertThat(http.get("/jobs?limit=100").json().path("jobs").size()).isEqualTo(before);
    }

    @Test
    void theLeaderboardRanksByTheMedianAndShowsTheSpread() throws Exception {
        Http.Reply reply = http.get("/leaderboard?limit=100");
        assertThat(openApi.check("/leaderboard", "GET", reply)).as(reply.body()).isEmpty();
        JsonNode four = job(BY_RUNS.get(4));
        JsonNode entry = null;
        for (JsonNode e : reply.json().path("entries")) {
            if (e.path("id").asText().equals(BY_RUNS.get(4))) {
                entry = e;
            }
        }
        assertThat(entry).as(reply.body()).isNotNull();
        assertThat(entry.path("value").asDouble()).isEqualTo(median(values(four)));
        assertThat(entry.path("runs").asInt()).isEqualTo(4);
        assertThat(entry.path("spread").asDouble()).isEqualTo(four.path("runSummary").path("spread").asDouble());
    }
}
