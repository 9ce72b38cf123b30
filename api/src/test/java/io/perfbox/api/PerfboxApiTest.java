package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.application.JobService;
import io.perfbox.core.application.TenantQuotas;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.PerfboxVersion;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.logging.JsonLogFormatter;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The transport-neutral API: routing, the operations, and every error as problem+json, never a trace. */
class PerfboxApiTest {
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    private final PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), launcher, Clock.systemUTC()));

    private static ApiRequest request(String method, String path, String caller, Map<String, String> headers,
                                      String body) {
        return new ApiRequest(method, path, Map.of(), Map.of(), headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), Optional.ofNullable(caller));
    }

    private static JsonNode json(ApiResponse response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    private ApiResponse submit(String caller) {
        return api.dispatch(request("POST", "/jobs", caller, Map.of("Content-Type", "text/plain"), DOCKERFILE));
    }

    @Test
    void aSubmitPastATenantsQuotaAnswers429ProblemWithRetryAfter() throws Exception {
        PerfboxApi limited = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), launcher, Clock.systemUTC())
                .withQuotas(new TenantQuotas(OptionalInt.of(1), OptionalInt.empty()), jobs));
        var post = request("POST", "/jobs", "tenant-q", Map.of("Content-Type", "text/plain"), DOCKERFILE);
        assertThat(limited.dispatch(post).status()).isEqualTo(202);
        ApiResponse refused = limited.dispatch(post);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).contains("application/problem+json");
        assertThat(refused.header("Retry-After")).contains("30");
        assertThat(json(refused).get("title").asText()).isEqualTo("Tenant quota exceeded");
        assertThat(json(refused).get("type").asText()).isEqualTo("urn:perfbox:problem:quota-exceeded");
        assertThat(json(refused).get("detail").asText()).contains("under way");
        assertThat(limited.dispatch(request("POST", "/jobs", "tenant-other", Map.of("Content-Type", "text/plain"),
                DOCKERFILE)).status()).isEqualTo(202);
    }

    @Test
    void submitAnswers202WithTheJobAndItsLocationAndStartsItsPipeline() throws Exception {
        ApiResponse response = submit("tenant-a");
        assertThat(response.status()).isEqualTo(202);
        String id = json(response).get("id").asText();
        assertThat(response.header("Location")).contains("/jobs/" + id);
        assertThat(response.header("Idempotent-Replayed")).contains("false");
        assertThat(json(response).get("status").asText()).isEqualTo("QUEUED");
        assertThat(launcher.started()).containsExactly(new JobId(id));
    }

    @Test
    void aJobAnswersWithItsReceiptNamingTheSubmittedDockerfilesSha256() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        JsonNode receipt = json(api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of(), null))).get("receipt");
        // sha256sum of DOCKERFILE's bytes
        assertThat(receipt.get("dockerfileSha256").asText()).isEqualTo("d84e8a211cab219fa65293a22b30dc43112e3d7e4ff4cbb6ef8c273c46ccc119");
        assertThat(receipt.get("perfboxVersion").asText()).isEqualTo(PerfboxVersion.current());
        assertThat(receipt.has("imageDigest")).isFalse();
    }

    @Test
    void aJobFromBeforeReceiptsAnswersWithANullReceipt() throws Exception {
        Job old = Job.queued(JobId.random(), "tenant-a", "old", null,
                Instant.parse("2025-01-01T00:00:00Z"));
        jobs.create(old, Optional.empty());
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + old.id().value(), "tenant-a", Map.of(), null));
        assertThat(got.status()).isEqualTo(200);
        assertThat(json(got).has("receipt")).isTrue();
        assertThat(json(got).get("receipt").isNull()).isTrue();
    }

    @Test
    void aReceiptWithHostileTextAnswersItPrintableNever5xx() throws Exception {
        var hostile = RunReceipt.ran(null, "0-1", "runc\u001b[2J", "<img src=x onerror=alert(1)>\r\nX",
                "\u202e6.1");
        Job job = Job.queued(JobId.random(), "tenant-a", "j", null,
                Instant.parse("2025-01-01T00:00:00Z")).withReceipt(hostile);
        jobs.create(job, Optional.empty());
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + job.id().value(), "tenant-a", Map.of(), null));
        assertThat(got.status()).isEqualTo(200);
        JsonNode receipt = json(got).get("receipt");
        assertThat(receipt.get("containerRuntime").asText()).isEqualTo("runc [2J");
        assertThat(receipt.get("hostCpuModel").asText()).isEqualTo("<img src=x onerror=alert(1)> X");
        assertThat(receipt.get("kernel").asText()).isEqualTo("6.1");
    }

    @Test
    void aPathParameterIsTakenFromTheRouteAndATrailingSlashIsTheSameResource() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + id + "/", "tenant-a", Map.of(), null));
        assertThat(got.status()).isEqualTo(200);
        assertThat(json(got).get("id").asText()).isEqualTo(id);
    }

    @Test
    void cancelAnswersTheJobCancelledAndKeepsItWhileDeleteOfAJobUnderWayIs409NamingCancel() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();

        ApiResponse refused = api.dispatch(request("DELETE", "/jobs/" + id, "tenant-a", Map.of(), null));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.header("Content-Type")).contains(Problem.MEDIA_TYPE);
        assertThat(json(refused).get("type").asText()).isEqualTo("urn:perfbox:problem:job-not-finished");
        assertThat(json(refused).get("detail").asText()).contains("/jobs/" + id + "/cancel");

        ApiResponse cancelled = api.dispatch(request("POST", "/jobs/" + id + "/cancel", "tenant-a", Map.of(), null));
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(json(cancelled).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(launcher.stopped()).containsExactly(new JobId(id));
        ApiResponse kept = api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of(), null));
        assertThat(json(kept).get("status").asText()).isEqualTo("CANCELLED");

        ApiResponse deleted = api.dispatch(request("DELETE", "/jobs/" + id, "tenant-a", Map.of(), null));
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of(), null)).status()).isEqualTo(404);
    }

    @Test
    void cancelIsAPostOnlyAndAnotherTenantCannotCancel() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        ApiResponse wrongMethod = api.dispatch(request("GET", "/jobs/" + id + "/cancel", "tenant-a", Map.of(), null));
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).contains("POST");
        assertThat(api.dispatch(request("POST", "/jobs/" + id + "/cancel", "tenant-b", Map.of(), null)).status())
                .isEqualTo(404);
        assertThat(launcher.stopped()).isEmpty();
    }

    private String finishedJob() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        var queued = jobs.find(new JobId(id)).orElseThrow();
        assertThat(jobs.update(JobFixtures.inStatus(queued,
                JobStatus.SUCCEEDED, Instant.now()),
                EnumSet.of(JobStatus.QUEUED))).isTrue();
        return id;
    }

    @Test
    void aFinishedJobHasAnETagAndCacheControlAndIfNoneMatchGives304WithoutABody() throws Exception {
        String id = finishedJob();
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of(), null));
        assertThat(got.status()).isEqualTo(200);
        String etag = got.header("ETag").orElseThrow();
        assertThat(etag).startsWith("\"").endsWith("\"");
        assertThat(got.header("Cache-Control")).contains("private, no-cache");

        ApiResponse notModified = api.dispatch(request("GET", "/jobs/" + id, "tenant-a",
                Map.of("If-None-Match", "\"other\", W/" + etag), null));
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.header("ETag")).contains(etag);
        assertThat(api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of("If-None-Match", "\"other\""), null))
                .status()).isEqualTo(200);
    }

    @Test
    void aJobUnderWayIsNeverCachedAndHasNoETag() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + id, "tenant-a", Map.of("If-None-Match", "*"), null));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.header("ETag")).isEmpty();
        assertThat(got.header("Cache-Control")).contains("no-store");
    }

    @Test
    void headAnswersWhereverGetDoesWithTheSameHeadersAndNoBody() throws Exception {
        String id = finishedJob();
        for (String path : List.of("/jobs/" + id, "/jobs", "/jobs/" + id + "/logs", "/jobs/" + id + "/scan",
                "/jobs/" + id + "/dockerfile", "/openapi.json")) {
            ApiResponse get = api.dispatch(request("GET", path, "tenant-a", Map.of("X-Request-Id", "r1"), null));
            ApiResponse head = api.dispatch(request("HEAD", path, "tenant-a", Map.of("X-Request-Id", "r1"), null));
            assertThat(head.status()).as(path).isEqualTo(get.status()).isEqualTo(200);
            assertThat(head.body()).as(path).isEmpty();
            Map<String, String> withoutLength = new LinkedHashMap<>(head.headers());
            assertThat(withoutLength.remove("Content-Length")).isEqualTo(Integer.toString(get.body().length));
            assertThat(withoutLength).as(path).isEqualTo(get.headers());
        }
        ApiResponse headOfPostOnly = api.dispatch(request("HEAD", "/jobs/" + id + "/cancel", "tenant-a", Map.of(), null));
        assertThat(headOfPostOnly.status()).isEqualTo(405);
        assertThat(api.dispatch(request("PUT", "/jobs", "t", Map.of(), null)).header("Allow")).contains("POST, GET, HEAD");
    }

    @Test
    void everyResponseCarriesAnXRequestIdEchoingAWellFormedOneAndReplacingAnyOther() throws Exception {
        ApiResponse echoed = api.dispatch(request("GET", "/jobs", "tenant-a", Map.of("x-request-id", "abc-123.4:5_6"), null));
        assertThat(echoed.header("X-Request-Id")).contains("abc-123.4:5_6");
        ApiResponse problem = api.dispatch(request("GET", "/nothing", "tenant-a", Map.of("X-Request-Id", "bad id\u0000"), null));
        assertThat(problem.status()).isEqualTo(404);
        assertThat(problem.header("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f-]{36}"));
        ApiResponse tooLong = api.handle(ApiOperation.LIST_JOBS, request("GET", "/jobs", "tenant-a",
                Map.of("X-Request-Id", "x".repeat(129)), null));
        assertThat(tooLong.header("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).hasSize(36));
        ApiResponse generated = api.dispatch(request("GET", "/jobs", null, Map.of(), null));
        assertThat(generated.status()).isEqualTo(401);
        assertThat(generated.header("X-Request-Id")).isPresent();
    }

    @Test
    void linesLoggedWhileAnsweringCarryTheRequestId() throws Exception {
        PerfboxApi failing = new PerfboxApi(new JobService(new InMemoryJobStore() {
            @Override
            public Optional<Job> find(JobId id) {
                throw new IllegalStateException("store down");
            }
        }, new InMemoryDockerfileStore(), new InMemoryJobArtifactStore(), launcher, Clock.systemUTC()));
        List<String> seen = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(PerfboxApi.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(new JsonLogFormatter().format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            ApiResponse response = failing.dispatch(request("GET", "/jobs/" + JobId.random().value(), "t",
                    Map.of("X-Request-Id", "trace-42"), null));
            assertThat(response.status()).isEqualTo(500);
            assertThat(response.header("X-Request-Id")).contains("trace-42");
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(seen).singleElement().satisfies(line ->
                assertThat(ApiJson.MAPPER.readTree(line).path("requestId").asText()).isEqualTo("trace-42"));
    }

    @Test
    void reusingAnIdempotencyKeyWithADifferentBodyIs422() throws Exception {
        Map<String, String> headers = Map.of("Content-Type", "text/plain", "Idempotency-Key", "k-1");
        assertThat(api.dispatch(request("POST", "/jobs", "t", headers, DOCKERFILE)).status()).isEqualTo(202);
        assertThat(api.dispatch(request("POST", "/jobs", "t", headers, DOCKERFILE)).status()).isEqualTo(202);
        ApiResponse different = api.dispatch(request("POST", "/jobs", "t", headers, "FROM debian:12\n"));
        assertThat(different.status()).isEqualTo(422);
        assertThat(json(different).get("type").asText()).isEqualTo("urn:perfbox:problem:idempotency-key-reused");
        assertThat(json(different).get("title").asText()).isEqualTo(ProblemType.IDEMPOTENCY_KEY_REUSED.title());
    }

    @Test
    void anEmptyStatusFilterIs400LikeAnyValueTheEnumDoesNotList() throws Exception {
        ApiResponse empty = api.dispatch(new ApiRequest("GET", "/jobs", Map.of(), Map.of("status", ""), Map.of(), null,
                Optional.of("t")));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(json(empty).get("type").asText()).isEqualTo("urn:perfbox:problem:invalid-status");
    }

    @Test
    void theSubmittedDockerfileIsAnsweredAsItsOwnTextToItsTenantOnly() throws Exception {
        String dockerfile = "FROM debian:bookworm\n# <script>alert(1)</script> é\nCMD echo 1 > /data/perf.json\n";
        String id = json(api.dispatch(request("POST", "/jobs", "tenant-a", Map.of("Content-Type", "text/plain"),
                dockerfile))).get("id").asText();

        ApiResponse got = api.dispatch(request("GET", "/jobs/" + id + "/dockerfile", "tenant-a", Map.of(), null));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.bodyText()).isEqualTo(dockerfile);
        assertThat(got.header("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(got.header("X-Content-Type-Options")).contains("nosniff");

        ApiResponse other = api.dispatch(request("GET", "/jobs/" + id + "/dockerfile", "tenant-b", Map.of(), null));
        assertThat(other.status()).isEqualTo(404);
        assertThat(json(other).get("type").asText()).isEqualTo("urn:perfbox:problem:job-not-found");
        assertThat(api.dispatch(request("DELETE", "/jobs/" + id, "tenant-a", Map.of(), null)).status()).isEqualTo(409);
    }

    @Test
    void anotherTenantsJobIsNotFound() throws Exception {
        String id = json(submit("tenant-a")).get("id").asText();
        ApiResponse got = api.dispatch(request("GET", "/jobs/" + id, "tenant-b", Map.of(), null));
        assertThat(got.status()).isEqualTo(404);
        assertThat(got.header("Content-Type")).contains(Problem.MEDIA_TYPE);
        assertThat(json(got).get("type").asText()).isEqualTo("urn:perfbox:problem:job-not-found");
    }

    @Test
    void anUnknownResourceIs404AndAnUnknownMethodIs405WithAllow() throws Exception {
        ApiResponse missing = api.dispatch(request("GET", "/nothing", "t", Map.of(), null));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(json(missing).get("detail").asText()).contains("/openapi.json");
        ApiResponse wrongMethod = api.dispatch(request("PUT", "/jobs", "t", Map.of(), null));
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).contains("POST, GET, HEAD");
        assertThat(wrongMethod.header("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    @Test
    void aRequestWithoutACallerIs401() throws Exception {
        ApiResponse response = api.dispatch(request("GET", "/jobs", null, Map.of(), null));
        assertThat(response.status()).isEqualTo(401);
        assertThat(json(response).get("type").asText()).isEqualTo("urn:perfbox:problem:unauthenticated");
    }

    @Test
    void aMalformedJobIdIs400() throws Exception {
        ApiResponse response = api.dispatch(request("GET", "/jobs/not-a-uuid", "t", Map.of(), null));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    @Test
    void aBadLimitIs400NamingTheParameter() throws Exception {
        ApiResponse response = api.dispatch(new ApiRequest("GET", "/jobs", Map.of(), Map.of("limit", "many"), Map.of(),
                null, Optional.of("t")));
        assertThat(response.status()).isEqualTo(400);
        assertThat(json(response).get("type").asText()).isEqualTo("urn:perfbox:problem:invalid-limit");
    }

    @Test
    void anUnexpectedErrorIs500WithAReferenceAndNoTrace() throws Exception {
        DockerfileStore broken = new InMemoryDockerfileStore() {
            @Override
            public void save(JobId id, Dockerfile dockerfile) {
                throw new IllegalStateException("disk on fire at /secret/path");
            }
        };
        PerfboxApi failing = new PerfboxApi(new JobService(jobs, broken, new InMemoryJobArtifactStore(), launcher,
                Clock.systemUTC()));
        ApiResponse response = failing.dispatch(request("POST", "/jobs", "t", Map.of("Content-Type", "text/plain"),
                DOCKERFILE));
        assertThat(response.status()).isEqualTo(500);
        assertThat(json(response).get("detail").asText()).contains("reference").doesNotContain("/secret/path");
        assertThat(response.bodyText()).doesNotContain("IllegalStateException").doesNotContain("at io.perfbox");
    }

    @Test
    void theOpenApiDocumentNeedsNoCallerAndNoUseCases() throws Exception {
        ApiResponse response = PerfboxApi.openApi(request("GET", "/openapi.json", null,
                Map.of(PerfboxApi.REQUEST_ID, "req-1"), null));
        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("openapi").asText()).startsWith("3.");
        assertThat(response.header(PerfboxApi.REQUEST_ID)).contains("req-1");
        ApiResponse routed = api.dispatch(request("GET", "/openapi.json", null, Map.of(), null));
        assertThat(routed.bodyText()).isEqualTo(response.bodyText());
    }

    @Test
    void anApiWithoutTheJobUseCasesIsRefusedAtConstruction() {
        assertThatThrownBy(() -> new PerfboxApi(null)).isInstanceOf(NullPointerException.class).hasMessage("jobs");
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        ApiRequest r = request("GET", "/jobs", "t", Map.of("content-TYPE", "Text/Plain; charset=UTF-8"), null);
        assertThat(r.mediaType()).isEqualTo("text/plain");
        assertThat(r.charset()).contains("utf-8");
        assertThat(r.header("Content-Type")).isPresent();
    }

    @Test
    void generatedRequestIdsAreVersion4UuidsAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            UUID id = UUID.fromString(PerfboxApi.newRequestId());
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            ids.add(id.toString());
        }
        assertThat(ids).hasSize(1000);
    }
}
