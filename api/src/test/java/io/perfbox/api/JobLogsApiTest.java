package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.application.JobService;
import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** GET /jobs/{id}/logs as text and as a followed event stream, with offsets, over the fakes (logs of 8 + 8 bytes kept). */
class JobLogsApiTest {
    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore(8, 8);
    private final JobService service = new JobService(jobs, new InMemoryDockerfileStore(), artifacts,
            new RecordingPipelineLauncher(), Clock.systemUTC());
    private final PerfboxApi api = new PerfboxApi(service);
    private final JobId id = service.submit(new SubmitJobCommand("alice", null, null,
            new Dockerfile("FROM debian:bookworm\n"), Optional.empty())).job().id();

    private ApiResponse get(Map<String, String> query, Map<String, String> headers) {
        return api.dispatch(new ApiRequest("GET", "/jobs/" + id.value() + "/logs", Map.of(), query, headers, null,
                Optional.of("alice")));
    }

    private ApiResponse text(long offset) {
        return get(Map.of("offset", Long.toString(offset)), Map.of("Accept", "text/plain"));
    }

    private void moveTo(JobStatus status) {
        Job now = jobs.find(id).orElseThrow();
        Job next = status == JobStatus.CANCELLED ? now.cancelled(Instant.now()) : now.advancedTo(status, Instant.now());
        assertThat(jobs.update(next, EnumSet.of(now.status()))).isTrue();
    }

    @Test
    void textIsTheOutputSoFarWhileTheJobIsStillBuilding() {
        moveTo(JobStatus.BUILDING);
        JobArtifactStore.LogWriter build = artifacts.openLog(id, LogKind.BUILD);
        build.write("line-1\n");

        ApiResponse r = text(0);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(r.bodyText()).isEqualTo("line-1\n");
        assertThat(r.header("Perfbox-Next-Offset")).contains("7");
        assertThat(r.header("Perfbox-Log-Complete")).contains("false");
        assertThat(r.header("Perfbox-Job-Status")).contains("BUILDING");
        assertThat(r.header("Cache-Control")).contains("no-store");

        build.write("line-2\n");
        assertThat(text(7).bodyText()).isEqualTo("line-2\n");
    }

    @Test
    void theOutputIsTheBuildsThenTheRunsAndAnOffsetResumesWithExactlyTheRest() {
        moveTo(JobStatus.BUILDING);
        try (var build = artifacts.openLog(id, LogKind.BUILD)) {
            build.write("b1\n");
        }
        moveTo(JobStatus.SCANNING);
        moveTo(JobStatus.RUNNING);
        try (var run = artifacts.openLog(id, LogKind.RUN)) {
            run.write("r1\nr2\n");
        }
        moveTo(JobStatus.CANCELLED);

        ApiResponse all = text(0);
        assertThat(all.bodyText()).isEqualTo("b1\nr1\nr2\n");
        assertThat(all.header("Perfbox-Log-Complete")).contains("true");
        ApiResponse rest = text(6);
        assertThat(rest.bodyText()).isEqualTo("r2\n");
        assertThat(rest.header("Perfbox-Log-Offset")).contains("6");
        assertThat(rest.header("Perfbox-Next-Offset")).contains("9");
        ApiResponse past = text(100);
        assertThat(past.bodyText()).isEmpty();
        assertThat(past.header("Perfbox-Next-Offset")).contains("9");
    }

    @Test
    void anOffsetInTheDroppedMiddleOfAFloodReadsOnFromTheKeptTailAndSaysHowMuchWasSkipped() {
        moveTo(JobStatus.BUILDING);
        try (var build = artifacts.openLog(id, LogKind.BUILD)) {
            build.write("HEADHEAD" + "x".repeat(100) + "TAILTAIL");
        }
        ApiResponse whole = text(0);
        assertThat(whole.bodyText()).isEqualTo("HEADHEAD\n[... 100 bytes omitted ...]\nTAILTAIL");
        ApiResponse fromMiddle = text(50);
        assertThat(fromMiddle.bodyText()).isEqualTo("\n[... 58 bytes omitted ...]\nTAILTAIL");
        assertThat(fromMiddle.header("Perfbox-Log-Omitted")).contains("58");
        assertThat(fromMiddle.header("Perfbox-Log-Offset")).contains("50");
        assertThat(fromMiddle.header("Perfbox-Next-Offset")).contains("116");
    }

    @Test
    void jsonStaysTheDefaultAndWhenTheClientRanksItHigher() throws Exception {
        try (var build = artifacts.openLog(id, LogKind.BUILD)) {
            build.write("built\n");
        }
        for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Accept", "*/*"),
                Map.of("Accept", "text/plain;q=0.5, application/json"))) {
            ApiResponse r = get(Map.of(), headers);
            assertThat(r.header("Content-Type")).as(headers.toString()).contains("application/json");
            assertThat(ApiJson.MAPPER.readTree(r.body()).path("build").path("text").asText()).isEqualTo("built\n");
        }
        assertThat(get(Map.of(), Map.of("Accept", "application/json;q=0.2, text/plain")).header("Content-Type"))
                .contains("text/plain; charset=utf-8");
    }

    @Test
    void aDownloadIsTheWholeOutputAsAnAttachmentNamedByTheJobWhateverTheBrowserAccepts() throws Exception {
        moveTo(JobStatus.BUILDING);
        try (var build = artifacts.openLog(id, LogKind.BUILD)) {
            build.write("<b>1\n");
        }
        moveTo(JobStatus.CANCELLED);
        // What a browser's link sends: HTML first, */* after; a download still answers the text, from the start.
        ApiResponse r = get(Map.of("download", "true", "offset", "3"),
                Map.of("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("<b>1\n");
        assertThat(r.header("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(r.header("Content-Disposition")).contains("attachment; filename=\"perfbox-" + id.value() + ".log\"");
        assertThat(r.header("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.header("Perfbox-Log-Complete")).contains("true");

        // A download wins over follow, as over offset: the output so far, as a file (each is a valid flag alone).
        ApiResponse followed = get(Map.of("download", "true", "follow", "true"), Map.of());
        assertThat(followed.status()).isEqualTo(200);
        assertThat(followed.bodyText()).isEqualTo("<b>1\n");
        assertThat(followed.header("Content-Disposition")).contains("attachment; filename=\"perfbox-" + id.value() + ".log\"");
        ApiResponse bad = get(Map.of("download", "yes"), Map.of());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(ApiJson.MAPPER.readTree(bad.body()).path("type").asText()).isEqualTo("urn:perfbox:problem:invalid-download");
        assertThat(get(Map.of("download", "false"), Map.of()).header("Content-Disposition")).isEmpty();
    }

    @Test
    void aBadOffsetOrFollowFlagIs400Problem() throws Exception {
        for (Map<String, String> query : List.of(Map.of("offset", "-1"), Map.of("offset", "ten"),
                Map.of("follow", "maybe"))) {
            ApiResponse r = get(query, Map.of("Accept", "text/plain"));
            assertThat(r.status()).as(query.toString()).isEqualTo(400);
            assertThat(r.header("Content-Type")).contains("application/problem+json");
            assertThat(ApiJson.MAPPER.readTree(r.body()).path("type").asText())
                    .isIn("urn:perfbox:problem:invalid-offset", "urn:perfbox:problem:invalid-follow");
        }
        assertThat(get(Map.of(), Map.of("Last-Event-ID", "x")).status()).isEqualTo(400);
    }

    @Test
    void aFollowStreamsEventsAsOutputComesAndEndsWhenTheJobEnds() throws Exception {
        moveTo(JobStatus.BUILDING);
        JobArtifactStore.LogWriter build = artifacts.openLog(id, LogKind.BUILD);
        build.write("one\n");
        ApiResponse r = get(Map.of("follow", "true"), Map.of());
        assertThat(r.header("Content-Type")).contains("text/event-stream; charset=utf-8");
        assertThat(r.stream()).isNotNull();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
            try {
                r.stream().writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        waitFor(() -> out.toString(StandardCharsets.UTF_8).contains("data: one\nid: 4\n\n"));
        build.write("two\nthr");
        waitFor(() -> out.toString(StandardCharsets.UTF_8).contains("data: two\nid: 8\n\n"));
        assertThat(streaming).isNotDone();
        build.write("ee\n");
        build.close();
        moveTo(JobStatus.CANCELLED);
        streaming.get(10, TimeUnit.SECONDS);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("retry: 1000\n\ndata: one\nid: 4\n\n"
                + "data: two\nid: 8\n\ndata: three\nid: 14\n\nevent: end\ndata: CANCELLED\nid: 14\n\n");
    }

    @Test
    void aLongPollAnswersTheNewEventsAndAReconnectWithLastEventIdGetsTheRest() {
        PerfboxApi lambda = new PerfboxApi(service).withLongPoll(Duration.ofSeconds(5));
        moveTo(JobStatus.BUILDING);
        JobArtifactStore.LogWriter build = artifacts.openLog(id, LogKind.BUILD);
        build.write("HEADHEAD" + "x".repeat(100) + "\n");
        Map<String, String> headers = new LinkedHashMap<>();
        ApiRequest follow = new ApiRequest("GET", "/jobs/" + id.value() + "/logs", Map.of(), Map.of("follow", "true"),
                headers, null, Optional.of("alice"));
        ApiResponse first = lambda.dispatch(follow);
        assertThat(first.stream()).isNull();
        assertThat(first.bodyText()).isEqualTo("retry: 1000\n\ndata: HEADHEAD\nid: 8\n\n"
                + "event: omitted\ndata: 93\nid: 101\n\ndata: xxxxxxx\nid: 109\n\n");

        build.write("TAIL\n");
        build.close();
        moveTo(JobStatus.CANCELLED);
        ApiResponse rest = lambda.dispatch(new ApiRequest("GET", follow.path(), Map.of(), Map.of("follow", "true"),
                Map.of("Last-Event-ID", "109"), null, Optional.of("alice")));
        assertThat(rest.bodyText()).isEqualTo("retry: 1000\n\ndata: TAIL\nid: 114\n\nevent: end\ndata: CANCELLED\nid: 114\n\n");
    }

    @Test
    void aLongPollIsANewApiAndTheOneItCameFromStillStreams() {
        PerfboxApi lambda = api.withLongPoll(Duration.ofSeconds(1));
        moveTo(JobStatus.CANCELLED);
        ApiRequest follow = new ApiRequest("GET", "/jobs/" + id.value() + "/logs", Map.of(), Map.of("follow", "true"),
                Map.of(), null, Optional.of("alice"));
        assertThat(lambda).isNotSameAs(api);
        assertThat(lambda.dispatch(follow).stream()).isNull();
        assertThat(api.dispatch(follow).stream()).as("the streaming API, unchanged").isNotNull();
    }

    @Test
    void aFollowOfAnotherTenantsJobIs404BeforeAnyEvent() {
        ApiResponse r = api.dispatch(new ApiRequest("GET", "/jobs/" + id.value() + "/logs", Map.of(),
                Map.of("follow", "true"), Map.of(), null, Optional.of("mallory")));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.stream()).isNull();
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
