package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GET /leaderboard and /leaderboard/history over the use cases: ranking, tenants, defaults and bad input. */
class LeaderboardApiTest {
    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final JobService service = new JobService(jobs, new InMemoryDockerfileStore(), new InMemoryJobArtifactStore(),
            new RecordingPipelineLauncher(), Clock.systemUTC());
    private final PerfboxApi api = new PerfboxApi(service);
    private Instant clock = Instant.parse("2026-07-01T00:00:00Z");

    private Job succeeded(String owner, String name, double perf, Map<String, Double> metrics) {
        clock = clock.plusSeconds(10);
        Job job = Job.queued(JobId.random(), owner, name, null, clock).succeeded(perf, metrics, clock.plusSeconds(1));
        jobs.create(job, Optional.empty());
        return job;
    }

    private static ApiRequest get(String path, Map<String, String> query, String caller) {
        return new ApiRequest("GET", path, Map.of(), query, Map.of(), null, Optional.of(caller));
    }

    private static JsonNode json(ApiResponse response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    private static List<String> names(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.path(field).forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    @Test
    void theLeaderboardRanksByPerformanceHighestFirstByDefaultWithRanksValuesAndMetrics() throws Exception {
        succeeded("t", "low", 0.2, Map.of("loss", 0.9));
        succeeded("t", "high", 0.8, Map.of("loss", 0.1));
        ApiResponse response = api.dispatch(get("/leaderboard", Map.of(), "t"));
        assertThat(response.status()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("metric").asText()).isEqualTo("performance");
        assertThat(body.path("order").asText()).isEqualTo("desc");
        assertThat(names(body, "entries")).containsExactly("high", "low");
        JsonNode first = body.path("entries").get(0);
        assertThat(first.path("rank").asInt()).isEqualTo(1);
        assertThat(first.path("value").asDouble()).isEqualTo(0.8);
        assertThat(first.path("metrics").path("loss").asDouble()).isEqualTo(0.1);
        assertThat(first.path("createdAt").asText()).isNotEmpty();
        assertThat(body.path("entries").get(1).path("rank").asInt()).isEqualTo(2);
    }

    @Test
    void aMetricCanBeRankedLowestFirstAndJobsWithoutItAreLeftOut() throws Exception {
        succeeded("t", "worse", 0.9, Map.of("loss", 0.5));
        succeeded("t", "none", 0.99, Map.of());
        succeeded("t", "better", 0.1, Map.of("loss", 0.2));
        JsonNode body = json(api.dispatch(get("/leaderboard", Map.of("metric", "loss", "order", "asc"), "t")));
        assertThat(names(body, "entries")).containsExactly("better", "worse");
        assertThat(body.path("entries").get(0).path("value").asDouble()).isEqualTo(0.2);
        assertThat(names(json(api.dispatch(get("/leaderboard", Map.of("metric", "loss", "limit", "1"), "t"))), "entries"))
                .containsExactly("worse");
    }

    @Test
    void anotherTenantsJobsNeverAppear() throws Exception {
        succeeded("t", "mine", 0.1, Map.of("m", 1.0));
        succeeded("other", "theirs", 0.9, Map.of("m", 2.0));
        assertThat(names(json(api.dispatch(get("/leaderboard", Map.of(), "t"))), "entries")).containsExactly("mine");
        assertThat(names(json(api.dispatch(get("/leaderboard/history", Map.of("metric", "m"), "t"))), "points"))
                .containsExactly("mine");
    }

    @Test
    void theServersDefaultDirectionAppliesWhenTheRequestNamesNone() throws Exception {
        succeeded("t", "low", 0.2, Map.of());
        succeeded("t", "high", 0.8, Map.of());
        PerfboxApi ascending = new PerfboxApi(service, RankOrder.ASC);
        JsonNode body = json(ascending.dispatch(get("/leaderboard", Map.of(), "t")));
        assertThat(body.path("order").asText()).isEqualTo("asc");
        assertThat(names(body, "entries")).containsExactly("low", "high");
        assertThat(names(json(ascending.dispatch(get("/leaderboard", Map.of("order", "desc"), "t"))), "entries"))
                .containsExactly("high", "low");
    }

    @Test
    void theHistoryIsTheMetricOverSuccessiveSubmissionsOldestFirst() throws Exception {
        succeeded("t", "first", 0.5, Map.of("acc", 0.5));
        succeeded("t", "second", 0.3, Map.of());
        succeeded("t", "third", 0.7, Map.of("acc", 0.4));
        JsonNode body = json(api.dispatch(get("/leaderboard/history", Map.of("metric", "acc"), "t")));
        assertThat(body.path("metric").asText()).isEqualTo("acc");
        assertThat(names(body, "points")).containsExactly("first", "third");
        assertThat(body.path("points").get(1).path("value").asDouble()).isEqualTo(0.4);
        assertThat(Instant.parse(body.path("points").get(0).path("createdAt").asText()))
                .isBefore(Instant.parse(body.path("points").get(1).path("createdAt").asText()));
        assertThat(names(json(api.dispatch(get("/leaderboard/history", Map.of(), "t"))), "points"))
                .containsExactly("first", "second", "third");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/leaderboard|metric||invalid-metric",
            "/leaderboard|metric|top 1|invalid-metric",
            "/leaderboard|metric|val/loss|invalid-metric",
            "/leaderboard/history|metric|é|invalid-metric",
            "/leaderboard|order|up|invalid-order",
            "/leaderboard|order||invalid-order",
            "/leaderboard|limit|0|invalid-limit",
            "/leaderboard|limit|101|invalid-limit",
            "/leaderboard|limit|ten|invalid-limit",
            "/leaderboard/history|limit|1001|invalid-limit"})
    void badParametersAre400Problems(String path, String parameter, String value, String slug) throws Exception {
        ApiResponse response = api.dispatch(get(path, Map.of(parameter, value == null ? "" : value), "t"));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).contains("application/problem+json");
        assertThat(json(response).path("type").asText()).isEqualTo("urn:perfbox:problem:" + slug);
    }

    @Test
    void aMetricNameOfSixtyFourCharactersIsAcceptedAndSixtyFiveIsNot() {
        assertThat(api.dispatch(get("/leaderboard", Map.of("metric", "m".repeat(64)), "t")).status()).isEqualTo(200);
        assertThat(api.dispatch(get("/leaderboard", Map.of("metric", "m".repeat(65)), "t")).status()).isEqualTo(400);
    }

    @Test
    void aJobShowsItsMetricsAndAnEmptyObjectWhenItHasNone() throws Exception {
        Job with = succeeded("t", "with", 0.9, Map.of("b", 2.0, "a", 1.0));
        Job queued = Job.queued(JobId.random(), "t", "queued", null, clock);
        jobs.create(queued, Optional.empty());
        JsonNode metrics = json(api.dispatch(get("/jobs/" + with.id().value(), Map.of(), "t"))).path("metrics");
        assertThat(metrics.fieldNames()).toIterable().containsExactly("a", "b");
        assertThat(metrics.path("b").asDouble()).isEqualTo(2.0);
        JsonNode none = json(api.dispatch(get("/jobs/" + queued.id().value(), Map.of(), "t"))).path("metrics");
        assertThat(none.isObject()).isTrue();
        assertThat(none.size()).isZero();
        JsonNode listed = json(api.dispatch(get("/jobs", Map.of(), "t"))).path("jobs");
        // each job's own "metrics" (a run's metrics are in its runResults)
        assertThat(listed).hasSize(2).allSatisfy(job -> assertThat(job.path("metrics").isObject()).isTrue());
    }
}
