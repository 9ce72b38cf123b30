package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.perfbox.api.ApiRequest;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The streaming codec of proxy events reads and writes what the event classes' data binding did (the mapper the
 * functions used before, kept here as the reference): the same request for the API, base path and tenant, and the
 * same response JSON.
 */
class ProxyEventJsonTest {
    /** The functions' mapper before: unknown fields ignored, nulls left out. */
    private static final ObjectMapper DATA_BINDING = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private static List<String> events() {
        String id = "3f2b4a6c-1d2e-4f3a-8b9c-0d1e2f3a4b5c";
        return List.of(
                ApiGatewayEvents.submit("FROM debian:bookworm\nRUN echo \"é 😀\"\n", "a1b2c3d4e5"),
                ApiGatewayEvents.onJob("GET", id, "tenant-1"),
                ApiGatewayEvents.cancel(id, "tenant-1"),
                ApiGatewayEvents.query("/jobs", Map.of("status", "FAILED", "limit", "5"), "tenant-1"),
                ApiGatewayEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), null, null),
                ApiGatewayEvents.event("POST", "/jobs", "/jobs", Map.of(), Map.of("Content-Type", "text/plain"), "x", "T!"),
                // Fields of the wrong kind where the data binding coerced them, a tenant that is not a string,
                // repeated keys (the last wins), nulls everywhere.
                """
                {"resource":"/jobs","path":"/jobs","path":"/v1/jobs","httpMethod":"POST","headers":{"a":"1","b":null},
                 "multiValueHeaders":{"a":["1","2"],"c":null,"d":[]},"queryStringParameters":null,"pathParameters":null,
                 "requestContext":{"path":"/v1/jobs","authorizer":{"tenant":42,"principalId":"p"},"identity":{"x":[1,{"y":2}]}},
                 "body":"e30=","isBase64Encoded":"true","stageVariables":{"s":"v"},"extra":[[],{}]}
                """,
                """
                {"httpMethod":"GET","path":"/jobs","requestContext":{"authorizer":{"tenant":"first","tenant":"last"}},
                 "isBase64Encoded":false,"body":null,"headers":{}}
                """,
                "{\"requestContext\":null,\"isBase64Encoded\":null}");
    }

    private static ApiRequest viaDataBinding(String event) throws IOException {
        JsonNode raw = DATA_BINDING.readTree(event);
        APIGatewayProxyRequestEvent typed = DATA_BINDING.treeToValue(raw, APIGatewayProxyRequestEvent.class);
        return ApiHandler.toRequest(typed, raw.path("requestContext").path("authorizer").path("tenant").textValue());
    }

    private static Map<String, Object> described(ApiRequest r, String basePath) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", r.method());
        m.put("path", r.path());
        m.put("pathParameters", r.pathParameters());
        m.put("query", r.query());
        m.put("headers", r.headers());
        m.put("body", new String(r.body(), StandardCharsets.UTF_8));
        m.put("caller", r.caller());
        m.put("basePath", basePath);
        return m;
    }

    @Test
    void anEventReadsAsTheDataBindingReadIt() throws Exception {
        for (String event : events()) {
            ProxyEventJson.Event read = ProxyEventJson.read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
            JsonNode raw = DATA_BINDING.readTree(event);
            APIGatewayProxyRequestEvent typed = DATA_BINDING.treeToValue(raw, APIGatewayProxyRequestEvent.class);

            assertThat(described(ApiHandler.toRequest(read.event(), read.tenant()), ApiHandler.basePath(read.event())))
                    .as(event).isEqualTo(described(viaDataBinding(event), ApiHandler.basePath(typed)));
        }
    }

    @Test
    void anEventOfTheWrongShapeIsAnErrorAsBefore() {
        for (String bad : List.of("", "[]", "{\"headers\":[\"a\"]}", "{\"headers\":{\"a\":{}}}", "{\"body\":{}}",
                "{\"multiValueHeaders\":{\"a\":\"b\"}}", "{\"isBase64Encoded\":\"yes\"}", "{\"path\":\"/jobs\"")) {
            assertThatThrownBy(() -> ProxyEventJson.read(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8))))
                    .as(bad).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> viaDataBinding(bad)).as("the data binding, for %s", bad).isInstanceOf(Exception.class);
        }
    }

    @Test
    void aResponseIsWrittenAsTheDataBindingWroteIt() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/problem+json");
        headers.put("X-Null", null);
        List<APIGatewayProxyResponseEvent> responses = List.of(
                new APIGatewayProxyResponseEvent().withStatusCode(202).withHeaders(Map.of("Location", "/v1/jobs/x"))
                        .withBody("{\"id\":\"x\",\"name\":\"é 😀 \\\"q\\\"\"}"),
                new APIGatewayProxyResponseEvent().withStatusCode(304).withHeaders(headers),
                new APIGatewayProxyResponseEvent().withStatusCode(200).withMultiValueHeaders(Map.of("Set", List.of("a", "b")))
                        .withIsBase64Encoded(false).withBody(""),
                new APIGatewayProxyResponseEvent());
        for (APIGatewayProxyResponseEvent response : responses) {
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            ProxyEventJson.write(streamed, response);
            assertThat(DATA_BINDING.readTree(streamed.toByteArray())).isEqualTo(DATA_BINDING.readTree(
                    DATA_BINDING.writeValueAsBytes(response)));
        }
    }
}
