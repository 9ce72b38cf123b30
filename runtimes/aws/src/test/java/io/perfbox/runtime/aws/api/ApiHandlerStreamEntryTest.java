package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The entry point the Lambda runtime calls: raw API Gateway JSON in, proxy response JSON out. */
class ApiHandlerStreamEntryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final PerfboxApi api = new PerfboxApi(new JobService(jobs, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));

    private static JsonNode invoke(RequestStreamHandler function, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private static JsonNode body(JsonNode response) throws Exception {
        return JSON.readTree(response.path("body").asText());
    }

    @Test
    void theTenantTheAuthorizerPutInTheContextIsTheOwner() throws Exception {
        JsonNode response = invoke(new ApiHandler(api), ApiGatewayEvents.submit("FROM debian:bookworm\n", "a1b2c3d4e5"));

        assertThat(response.path("statusCode").asInt()).isEqualTo(202);
        JobId id = JobId.parse(body(response).path("id").asText());
        assertThat(jobs.find(id).orElseThrow().owner()).isEqualTo("a1b2c3d4e5");
    }

    @Test
    void withoutAnAuthorizerTenantTheRequestIsUnauthenticatedEvenWithAnApiKeyId() throws Exception {
        // The event still carries the API Gateway key (x-api-key, identity.apiKey, identity.apiKeyId): usage plans
        // only, never taken as an identity.
        JsonNode response = invoke(new ApiHandler(api),
                ApiGatewayEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), null, null));

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/problem+json");
        assertThat(response.toString()).doesNotContain("the-secret-key-value");
    }

    @Test
    void anAuthorizerTenantThatIsNoTenantNameIsNotTakenAsTheTenant() throws Exception {
        JsonNode response = invoke(new ApiHandler(api), ApiGatewayEvents.onJob("GET", JobId.random().value(), "a#b"));
        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
    }

    @Test
    void theResponseIsALambdaProxyResponseWithoutNullFields() throws Exception {
        JsonNode response = invoke(new ApiHandler(api),
                ApiGatewayEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), null, "a1b2c3d4e5"));
        assertThat(response.fieldNames()).toIterable().containsExactlyInAnyOrder("statusCode", "headers", "body");
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(body(response).path("jobs").isArray()).isTrue();
    }

    @Test
    void theApiLambdaOffersTheStreamEntryAndANoArgumentConstructor() {
        // The Lambda Java runtime picks RequestStreamHandler for a class that implements it: the one that sees requestContext.authorizer.
        assertThat(RequestStreamHandler.class).isAssignableFrom(ApiHandler.class);
        assertThat(ApiHandler.class.getConstructors()).anySatisfy(c -> assertThat(c.getParameterCount()).isZero());
    }

    @Test
    void errorsAreProblemsOnTheStreamEntryToo() throws Exception {
        JsonNode response = invoke(new ApiHandler(api), ApiGatewayEvents.onJob("GET", "not-a-uuid", "a1b2c3d4e5"));
        assertThat(response.path("statusCode").asInt()).isEqualTo(400);
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/problem+json");
    }
}
