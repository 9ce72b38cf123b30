package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiRequest;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ApiHandlerTest {

    private static APIGatewayProxyResponseEvent call(Function<ApiRequest, APIGatewayProxyResponseEvent> body,
                                                     APIGatewayProxyRequestEvent event) {
        ApiHandler handler = new ApiHandler() {
            @Override
            protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
                return body.apply(request);
            }
        };
        return handler.handleRequest(event, null);
    }

    private static APIGatewayProxyRequestEvent event() {
        return new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/jobs/x")
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext()
                        .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("secret-key")));
    }

    @Test
    void unexpectedErrorIsA500ProblemWithoutAStackTrace() {
        var res = call(r -> {
            throw new IllegalStateException("database exploded at com.example.Secret");
        }, event());
        assertThat(res.getStatusCode()).isEqualTo(500);
        assertThat(res.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(res.getBody()).contains("reference").doesNotContain("exploded").doesNotContain("IllegalStateException");
    }

    @Test
    void invalidInputKindsMapToTheirStatus() {
        assertThat(call(r -> { throw new InvalidInputException("x", "bad"); }, event()).getStatusCode()).isEqualTo(400);
        assertThat(call(r -> { throw new InvalidInputException(InvalidInputException.Kind.TOO_LARGE, "x", "big"); }, event())
                .getStatusCode()).isEqualTo(413);
        assertThat(call(r -> { throw new InvalidInputException(InvalidInputException.Kind.UNSUPPORTED_MEDIA_TYPE, "x", "t"); }, event())
                .getStatusCode()).isEqualTo(415);
        assertThat(call(r -> { throw new InvalidInputException(InvalidInputException.Kind.CONFLICT, "x", "c"); }, event())
                .getStatusCode()).isEqualTo(409);
        var notFound = call(r -> { throw new JobNotFoundException(JobId.random()); }, event());
        assertThat(notFound.getStatusCode()).isEqualTo(404);
        assertThat(notFound.getBody()).contains("urn:perfbox:problem:job-not-found");
    }

    @Test
    void requestWithoutAnApiKeyIsUnauthenticated() {
        var res = call(r -> ApiHandler.json(200, ApiHandler.owner(r)), new APIGatewayProxyRequestEvent().withPath("/jobs"));
        assertThat(res.getStatusCode()).isEqualTo(401);
    }

    @Test
    void ownerIsADigestOfTheApiKeyNeverTheKeyItself() {
        var res = call(r -> ApiHandler.json(200, ApiHandler.owner(r)), event());
        assertThat(res.getStatusCode()).isEqualTo(200);
        assertThat(res.getBody()).startsWith("\"key-").doesNotContain("secret-key");
    }

    @Test
    void malformedJobIdIsABadRequest() {
        var res = call(r -> ApiHandler.json(200, ApiHandler.jobId(r).value()),
                event().withPathParameters(java.util.Map.of("id", "../../etc/passwd")));
        assertThat(res.getStatusCode()).isEqualTo(400);
    }
}
