package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.ApiRequest;
import io.perfbox.api.ApiResponse;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The typed entry: an API Gateway proxy event becomes the API's request, its response the proxy response. */
class ApiHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_ID = "a1b2c3d4e5";

    private final InMemoryJobStore jobs = new InMemoryJobStore() {
        @Override
        public synchronized Optional<Job> find(JobId id) {
            if (id.value().startsWith("00000000")) {
                throw new IllegalStateException("database exploded at com.example.Secret");
            }
            return super.find(id);
        }
    };
    private final RecordingPipelineLauncher launcher = new RecordingPipelineLauncher();
    private final PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), launcher, Clock.systemUTC()));

    /**
     * A route without path parameters, whose resource is its path, as API Gateway's REST proxy integration sends it
     * (the API Gateway developer guide's "Input format of a Lambda function for proxy integration", set up Lambda
     * proxy integrations, whose example event has resource, path and httpMethod side by side).
     */
    private static APIGatewayProxyRequestEvent event(String method, String path) {
        return new APIGatewayProxyRequestEvent().withHttpMethod(method).withResource(path).withPath(path);
    }

    private static APIGatewayProxyRequestEvent onJob(String rawId) {
        return event("GET", "/jobs/" + rawId).withResource("/jobs/{id}").withPathParameters(Map.of("id", rawId));
    }

    private static APIGatewayProxyRequestEvent submission(String dockerfile) {
        return event("POST", "/jobs").withHeaders(Map.of("Content-Type", "text/plain")).withBody(dockerfile);
    }

    private static JsonNode body(APIGatewayProxyResponseEvent response) throws Exception {
        return JSON.readTree(response.getBody());
    }

    @Test
    void submissionIsStoredUnderTheApiKeyIdAndAnsweredAccepted() throws Exception {
        APIGatewayProxyResponseEvent response = new ApiHandler(api).handle(submission("FROM debian:bookworm\n"),
                KEY_ID);

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json")
                .containsKey("Location");
        JobId id = JobId.parse(body(response).path("id").asText());
        assertThat(jobs.find(id).orElseThrow().owner()).isEqualTo(KEY_ID);
        assertThat(launcher.started()).containsExactly(id);
    }

    @Test
    void locationOfASubmittedJobCarriesTheStageTheRequestCameThrough() throws Exception {
        APIGatewayProxyRequestEvent throughStage = submission("FROM debian:bookworm\n").withResource("/jobs")
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext().withStage("v1")
                        .withPath("/v1/jobs").withResourcePath("/jobs"));

        APIGatewayProxyResponseEvent response = new ApiHandler(api).handle(throughStage, KEY_ID);

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getHeaders().get("Location")).isEqualTo("/v1/jobs/" + body(response).path("id").asText());
    }

    @Test
    void basePathIsWhatTheRequestedPathHasBeforeTheRoute() {
        var customDomain = new APIGatewayProxyRequestEvent.ProxyRequestContext().withStage("v1")
                .withPath("/perfbox/jobs/abc/cancel");
        assertThat(ApiHandler.basePath(event("POST", "/jobs/abc/cancel").withResource("/jobs/{id}/cancel")
                .withPathParameters(Map.of("id", "abc")).withRequestContext(customDomain))).isEqualTo("/perfbox");
        // A custom domain mapped at its root: nothing in front.
        var root = new APIGatewayProxyRequestEvent.ProxyRequestContext().withStage("v1").withPath("/jobs");
        assertThat(ApiHandler.basePath(event("POST", "/jobs").withResource("/jobs").withRequestContext(root)))
                .isEmpty();
        // No request context (a test's or a proxy's event): the API's own paths.
        assertThat(ApiHandler.basePath(event("POST", "/jobs"))).isEmpty();
    }

    @Test
    void requestWithoutACallerIsAnUnauthenticatedProblem() throws Exception {
        APIGatewayProxyResponseEvent response = new ApiHandler(api).handle(event("GET", "/jobs"), null);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(body(response).path("type").asText()).endsWith("unauthenticated");
    }

    @Test
    void tenantThatIsNoTenantNameIsNoCaller() {
        assertThat(new ApiHandler(api).handle(event("GET", "/jobs"), "a#b").getStatusCode()).isEqualTo(401);
        assertThat(ApiHandler.toRequest(event("GET", "/jobs"), "x".repeat(64)).caller()).isEmpty();
        assertThat(ApiHandler.toRequest(event("GET", "/jobs"), "Acme").caller()).isEmpty();
        assertThat(ApiHandler.toRequest(event("GET", "/jobs"), KEY_ID).caller()).contains(KEY_ID);
    }

    @Test
    void unexpectedErrorIsA500ProblemWithoutAStackTrace() throws Exception {
        APIGatewayProxyResponseEvent response = new ApiHandler(api).handle(
                onJob("00000000-0000-4000-8000-000000000001"), KEY_ID);

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(response.getBody()).contains("reference").doesNotContain("exploded")
                .doesNotContain("IllegalStateException");
    }

    @Test
    void unknownAndMalformedJobIdsAreNotFoundAndBadRequest() throws Exception {
        APIGatewayProxyResponseEvent missing = new ApiHandler(api).handle(onJob(JobId.random().value()), KEY_ID);
        assertThat(missing.getStatusCode()).isEqualTo(404);
        assertThat(missing.getBody()).contains("urn:perfbox:problem:job-not-found");

        assertThat(new ApiHandler(api).handle(onJob("../../etc/passwd"), KEY_ID).getStatusCode()).isEqualTo(400);
    }

    @Test
    void anotherKeysJobIsNotFound() throws Exception {
        String id = body(new ApiHandler(api).handle(submission("FROM debian:bookworm\n"), KEY_ID))
                .path("id").asText();

        assertThat(new ApiHandler(api).handle(onJob(id), KEY_ID).getStatusCode()).isEqualTo(200);
        assertThat(new ApiHandler(api).handle(onJob(id), "otherkey99").getStatusCode()).isEqualTo(404);
        assertThat(new ApiHandler(api).handle(onJob(id).withHttpMethod("DELETE"), "otherkey99").getStatusCode())
                .isEqualTo(404);
    }

    @Test
    void base64BodyIsDecodedAndOneThatIsNotBase64IsTheClientsError() throws Exception {
        String encoded = Base64.getEncoder().encodeToString("FROM debian:bookworm\n".getBytes(StandardCharsets.UTF_8));
        APIGatewayProxyResponseEvent accepted = new ApiHandler(api).handle(
                submission(encoded).withIsBase64Encoded(true), KEY_ID);
        assertThat(accepted.getStatusCode()).isEqualTo(202);

        APIGatewayProxyResponseEvent refused = new ApiHandler(api).handle(
                submission("not base64 %%%").withIsBase64Encoded(true), KEY_ID);
        assertThat(refused.getStatusCode()).isEqualTo(400);
        assertThat(body(refused).path("type").asText()).endsWith("invalid-body-encoding");
    }

    @Test
    void singleValueHeadersWinAndMultiValueHeadersFillTheRest() {
        APIGatewayProxyRequestEvent event = event("GET", "/jobs")
                .withHeaders(Map.of("Content-Type", "text/plain"))
                .withMultiValueHeaders(Map.of("Content-Type", List.of("application/json"),
                        "Idempotency-Key", List.of("first", "second")));

        ApiRequest request = ApiHandler.toRequest(event, KEY_ID);

        assertThat(request.header("content-type")).contains("text/plain");
        assertThat(request.header("Idempotency-Key")).contains("first");
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.body()).isEmpty();
    }

    @Test
    void responseWithoutABodyHasNone() {
        APIGatewayProxyResponseEvent event = ApiHandler.toEvent(new ApiResponse(204, Map.of("X-A", "b"),
                new byte[0]));
        assertThat(event.getStatusCode()).isEqualTo(204);
        assertThat(event.getBody()).isNull();
        assertThat(event.getHeaders()).containsEntry("X-A", "b");
    }

    @Test
    void aRouteOutsideTheTableIsNotFound() throws Exception {
        APIGatewayProxyResponseEvent response = new ApiHandler(api).handle(event("GET", "/nothing"), KEY_ID);
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(body(response).path("type").asText()).endsWith(":not-found");
        // The path alone is no route: API Gateway always names the resource it matched.
        assertThat(new ApiHandler(api).handle(event("GET", "/jobs").withResource(null), KEY_ID).getStatusCode())
                .isEqualTo(404);
    }

    @Test
    void aFunctionDeployedForOneOperationAnswersNoOtherRoute() throws Exception {
        ApiHandler getJob = new ApiHandler(ApiOperation.GET_JOB, api);
        assertThat(getJob.operation()).contains(ApiOperation.GET_JOB);

        APIGatewayProxyResponseEvent refused = getJob.handle(submission("FROM debian:bookworm\n"), KEY_ID);
        assertThat(refused.getStatusCode()).isEqualTo(404);
        assertThat(launcher.started()).as("nothing submitted").isEmpty();

        String id = body(new ApiHandler(api).handle(submission("FROM debian:bookworm\n"), KEY_ID)).path("id").asText();
        assertThat(getJob.handle(onJob(id), KEY_ID).getStatusCode()).isEqualTo(200);
    }

    @Test
    void openApiDocumentNeedsNoJobsAndNoCaller() throws Exception {
        ApiHandler openApi = new ApiHandler(Map.of(AwsSettings.API_OPERATION, "GET_OPENAPI"));
        APIGatewayProxyResponseEvent response = openApi.handle(event("GET", "/openapi.json"), null);
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body(response).path("openapi").asText()).startsWith("3.");
        assertThat(openApi.handle(event("GET", "/jobs"), KEY_ID).getStatusCode()).isEqualTo(404);
    }

    @Test
    void aFunctionNamingNoOperationOfTheTableFailsAtItsStart() {
        assertThatThrownBy(() -> new ApiHandler(Map.of(AwsSettings.API_OPERATION, "GET_EVERYTHING")))
                .isInstanceOf(AwsSettings.InvalidSettingException.class).hasMessageContaining(AwsSettings.API_OPERATION);
    }
}
