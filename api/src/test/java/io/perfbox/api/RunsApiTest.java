package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Runs;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /jobs's runs, GET /jobs/{id}'s runs and the leaderboard's spread. */
class RunsApiTest {
    private static final String DOCKERFILE = "FROM debian:bookworm\\nCMD echo 1 > /data/perf.json\\n";

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    private final PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), launcher, Clock.systemUTC()));

    private ApiResponse post(String json) {
        return api.dispatch(new ApiRequest("POST", "/jobs", Map.of(), Map.of(), Map.of("Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8), Optional.of("tenant-a")));
    }

    private ApiResponse get(String path) {
        return api.dispatch(new ApiRequest("GET", path, Map.of(), Map.of(), Map.of(), null, Optional.of("tenant-a")));
    }

    private static JsonNode json(ApiResponse response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    private ApiResponse submitWithRuns(String runs) {
        return post("{\"dockerfile\":\"" + DOCKERFILE + "\",\"runs\":" + runs + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "11", "-1", "1000", "\"3\"", "2.5", "true", "[3]", "{}", "1e400", "-1e400", "99999999999999999999", "1e-400"})
    void aRunsCountThatIsNotAWholeNumberFromOneToTenIs400ProblemNamingTheFieldAndTheRange(String runs) throws Exception {
        ApiResponse refused = submitWithRuns(runs);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).contains(Problem.MEDIA_TYPE);
        JsonNode problem = json(refused);
        assertThat(problem.get("type").asText()).isEqualTo("urn:perfbox:problem:invalid-runs");
        assertThat(problem.get("detail").asText()).contains("\"runs\"", "1 to 10");
        assertThat(jobs.list("tenant-a", Optional.empty(), 10, Optional.empty()).jobs()).isEmpty();
        assertThat(launcher.started()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10})
    void aRunsCountFromOneToTenIsTakenAndShown(int runs) throws Exception {
        ApiResponse accepted = submitWithRuns(Integer.toString(runs));

        assertThat(accepted.status()).isEqualTo(202);
        String id = json(accepted).get("id").asText();
        assertThat(jobs.find(new JobId(id)).orElseThrow().runs()).isEqualTo(Runs.of(runs));
        JsonNode job = json(get("/jobs/" + id));
        assertThat(job.get("runs").asInt()).isEqualTo(runs);
        assertThat(job.get("runResults").isArray()).isTrue();
        assertThat(job.get("runResults")).isEmpty();
        assertThat(job.get("runSummary").isNull()).isTrue();
    }

    @Test
    void aNumberBeyondWhatJacksonParsesIsA400NotA5xx() throws Exception {
        ApiResponse refused = submitWithRuns("1e9999999999");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    @Test
    void aWholeNumberWrittenWithAFractionIsTheSameCountAsJsonSchemaReadsIt() throws Exception {
        ApiResponse accepted = submitWithRuns("3.0");
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(json(accepted).get("runs").asInt()).isEqualTo(3);
    }

    @Test
    void withoutRunsOrWithNullAJobRunsOnce() throws Exception {
        ApiResponse absent = post("{\"dockerfile\":\"" + DOCKERFILE + "\"}");
        assertThat(absent.status()).isEqualTo(202);
        assertThat(json(absent).get("runs").asInt()).isEqualTo(1);
        assertThat(json(submitWithRuns("null")).get("runs").asInt()).isEqualTo(1);
        ApiResponse plain = api.dispatch(new ApiRequest("POST", "/jobs", Map.of(), Map.of(),
                Map.of("Content-Type", "text/plain"), "FROM debian:bookworm\n".getBytes(StandardCharsets.UTF_8),
                Optional.of("tenant-a")));
        assertThat(json(plain).get("runs").asInt()).isEqualTo(1);
    }

    @Test
    void theSameIdempotencyKeyWithAnotherRunsCountIsADifferentRequest() {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Idempotency-Key", "k-runs");
        byte[] three = ("{\"dockerfile\":\"" + DOCKERFILE + "\",\"runs\":3}").getBytes(StandardCharsets.UTF_8);
        byte[] four = ("{\"dockerfile\":\"" + DOCKERFILE + "\",\"runs\":4}").getBytes(StandardCharsets.UTF_8);
        assertThat(api.dispatch(new ApiRequest("POST", "/jobs", Map.of(), Map.of(), headers, three,
                Optional.of("t"))).status()).isEqualTo(202);
        assertThat(api.dispatch(new ApiRequest("POST", "/jobs", Map.of(), Map.of(), headers, four,
                Optional.of("t"))).status()).isEqualTo(422);
    }

    private Job succeededWith(double... values) {
        Instant t = Instant.parse("2026-02-01T00:00:00Z").plusSeconds(jobs.list("tenant-a", Optional.empty(), 100,
                Optional.empty()).jobs().size());
        Job job = Job.queued(JobId.random(), "tenant-a", "j" + values.length, null, values.length, t)
                .advancedTo(JobStatus.RUNNING, t);
        for (double v : values) {
            job = job.withRun(new Runs.Run(job.runs().next(), v, Map.of(), Duration.ofMillis(1500)), t);
        }
        job = job.succeededOverRuns(t.plusSeconds(1));
        jobs.create(job, Optional.empty());
        return job;
    }

    @Test
    void aJobShowsEachRunsValueAndDurationTheMedianMinMaxAndSpread() throws Exception {
        Job job = succeededWith(0.8, 1.2, 1.0, 0.9);

        JsonNode got = json(get("/jobs/" + job.id().value()));

        assertThat(got.get("performance").asDouble()).isEqualTo(0.95);
        assertThat(got.get("runs").asInt()).isEqualTo(4);
        JsonNode results = got.get("runResults");
        assertThat(results).hasSize(4);
        assertThat(results.get(1).get("run").asInt()).isEqualTo(2);
        assertThat(results.get(1).get("value").asDouble()).isEqualTo(1.2);
        assertThat(results.get(1).get("durationSeconds").asDouble()).isEqualTo(1.5);
        JsonNode summary = got.get("runSummary");
        assertThat(summary.get("completed").asInt()).isEqualTo(4);
        assertThat(summary.get("values")).extracting(JsonNode::asDouble).containsExactly(0.8, 1.2, 1.0, 0.9);
        assertThat(summary.get("median").asDouble()).isEqualTo(0.95);
        assertThat(summary.get("min").asDouble()).isEqualTo(0.8);
        assertThat(summary.get("max").asDouble()).isEqualTo(1.2);
        assertThat(summary.get("spread").asDouble()).isCloseTo(0.4 / 0.95, Offset.offset(1e-9));
    }

    @Test
    void theLeaderboardRanksByTheMedianAndShowsTheSpread() throws Exception {
        Job steady = succeededWith(5, 5, 5);
        // Its best run (9) beats every other, but its median (2) is the lowest.
        Job lucky = succeededWith(1, 9, 2);
        Job one = succeededWith(3);

        JsonNode board = json(get("/leaderboard"));

        JsonNode entries = board.get("entries");
        assertThat(entries).extracting(e -> e.get("id").asText())
                .containsExactly(steady.id().value(), one.id().value(), lucky.id().value());
        assertThat(entries.get(0).get("value").asDouble()).isEqualTo(5.0);
        assertThat(entries.get(0).get("spread").asDouble()).isEqualTo(0.0);
        assertThat(entries.get(0).get("runs").asInt()).isEqualTo(3);
        assertThat(entries.get(2).get("value").asDouble()).isEqualTo(2.0);
        assertThat(entries.get(2).get("spread").asDouble()).isEqualTo(4.0);
        assertThat(entries.get(1).get("runs").asInt()).isEqualTo(1);
    }

    @Test
    void theOpenApiDocumentStatesTheFieldAndItsBounds() throws Exception {
        JsonNode doc = json(get("/openapi.json"));
        JsonNode runs = doc.at("/components/schemas/SubmitRequest/properties/runs");
        assertThat(runs.get("minimum").asInt()).isEqualTo(Runs.MIN);
        assertThat(runs.get("maximum").asInt()).isEqualTo(Runs.MAX);
        assertThat(runs.get("default").asInt()).isEqualTo(Runs.DEFAULT);
        assertThat(doc.at("/components/schemas/Job/properties/runSummary").isMissingNode()).isFalse();
        assertThat(doc.at("/components/schemas/LeaderboardEntry/properties/spread").isMissingNode()).isFalse();
    }
}
