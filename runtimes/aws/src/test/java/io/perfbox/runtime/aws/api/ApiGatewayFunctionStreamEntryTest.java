package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiRequest;
import io.perfbox.api.DeleteJobHandler;
import io.perfbox.api.GetJobHandler;
import io.perfbox.api.GetJobLogsHandler;
import io.perfbox.api.GetJobScanHandler;
import io.perfbox.api.ListJobsHandler;
import io.perfbox.api.OpenApiHandler;
import io.perfbox.api.SubmitJobHandler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The entry point the Lambda runtime calls: raw API Gateway JSON in, proxy response JSON out. */
class ApiHandlerStreamEntryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers with the owner it sees and the parts of the request it read, to show what the event carried. */
    private static final ApiHandler ECHO = new ApiHandler() {
        @Override
        protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
            return json(201, Map.of(
                    "owner", owner(request),
                    "path", request.path(),
                    "id", request.pathParameter("id").orElse(""),
                    "contentType", request.mediaType(),
                    "body", new String(request.bodyBytes(), StandardCharsets.UTF_8)));
        }
    };

    private static JsonNode invoke(ApiHandler handler, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void theApiKeyIdApiGatewaySendsIsTheOwner() throws Exception {
        JsonNode response = invoke(ECHO, ApiGatewayEvents.submit("FROM debian:bookworm\n", "a1b2c3d4e5"));
        assertThat(response.path("statusCode").asInt()).isEqualTo(201);
        JsonNode body = JSON.readTree(response.path("body").asText());
        assertThat(body.path("owner").asText()).isEqualTo("a1b2c3d4e5");
        assertThat(body.path("path").asText()).isEqualTo("/jobs");
        assertThat(body.path("contentType").asText()).isEqualTo("text/plain");
        assertThat(body.path("body").asText()).isEqualTo("FROM debian:bookworm\n");
    }

    @Test
    void withoutAnApiKeyIdTheOwnerIsTheDigestOfTheKeyAsOnTheLocalServer() throws Exception {
        JsonNode viaStream = JSON.readTree(invoke(ECHO, ApiGatewayEvents.onJob("GET", "x", null)).path("body").asText());
        var typed = new APIGatewayProxyRequestEvent().withPath("/jobs/x")
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext()
                        .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("the-secret-key-value")));
        String viaTypedEntry = ECHO.handleRequest(typed, null).getBody();
        assertThat(viaStream.path("owner").asText()).startsWith("key-").isEqualTo(JSON.readTree(viaTypedEntry).path("owner").asText());
        assertThat(viaStream.path("id").asText()).isEqualTo("x");
    }

    @Test
    void anApiKeyIdThatIsNoKeyIdIsNotTakenAsTheOwner() throws Exception {
        JsonNode body = JSON.readTree(invoke(ECHO, ApiGatewayEvents.onJob("GET", "x", "a#b")).path("body").asText());
        assertThat(body.path("owner").asText()).startsWith("key-");
    }

    @Test
    void theResponseIsALambdaProxyResponseWithoutNullFields() throws Exception {
        JsonNode response = invoke(ECHO, ApiGatewayEvents.onJob("GET", "x", "a1b2c3d4e5"));
        assertThat(response.fieldNames()).toIterable().containsExactlyInAnyOrder("statusCode", "headers", "body");
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
    }

    @Test
    void everyApiLambdaOffersTheStreamEntryTheRuntimePrefers() {
        // The Lambda Java runtime picks RequestStreamHandler over RequestHandler for a class implementing both (and,
        // by method name, the longest handleRequest overload): the one that sees apiKeyId.
        for (Class<?> handler : java.util.List.of(SubmitJobHandler.class, ListJobsHandler.class, GetJobHandler.class,
                DeleteJobHandler.class, GetJobLogsHandler.class, GetJobScanHandler.class, OpenApiHandler.class)) {
            assertThat(com.amazonaws.services.lambda.runtime.RequestStreamHandler.class).isAssignableFrom(handler);
            assertThat(handler.getConstructors()).anySatisfy(c -> assertThat(c.getParameterCount()).isZero());
        }
    }

    @Test
    void errorsAreProblemsOnTheStreamEntryToo() throws Exception {
        ApiHandler failing = new ApiHandler() {
            @Override
            protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
                return json(200, jobId(request).value());
            }
        };
        JsonNode response = invoke(failing, ApiGatewayEvents.onJob("GET", "not-a-uuid", "a1b2c3d4e5"));
        assertThat(response.path("statusCode").asInt()).isEqualTo(400);
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/problem+json");
    }
}
