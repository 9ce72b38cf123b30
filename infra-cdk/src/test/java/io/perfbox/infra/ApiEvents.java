package io.perfbox.infra;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;

/**
 * API Gateway REST proxy events for the API functions, as the stage sends them behind the tenant authorizer: the
 * fields the functions read (resource, path, method, headers, path and query parameters, body, the authorizer's
 * tenant, the stage). runtimes/aws has the full-format builder for its own tests.
 */
final class ApiEvents {
    static final String STAGE = "v1";

    private ApiEvents() {
    }

    static String event(String method, String resource, String path, Map<String, String> pathParameters,
                        Map<String, String> query, Map<String, String> headers, String body, String tenant) {
        ObjectNode e = TemplateQueries.JSON.createObjectNode();
        e.put("resource", resource).put("path", path).put("httpMethod", method);
        ObjectNode h = e.putObject("headers");
        ObjectNode mh = e.putObject("multiValueHeaders");
        h.put("Host", "abc123.execute-api.us-east-1.amazonaws.com");
        headers.forEach(h::put);
        h.properties().forEach(f -> mh.putArray(f.getKey()).add(f.getValue().asText()));
        if (query.isEmpty()) {
            e.putNull("queryStringParameters");
            e.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode q = e.putObject("queryStringParameters");
            ObjectNode mq = e.putObject("multiValueQueryStringParameters");
            query.forEach((k, v) -> {
                q.put(k, v);
                mq.putArray(k).add(v);
            });
        }
        if (pathParameters.isEmpty()) {
            e.putNull("pathParameters");
        } else {
            ObjectNode p = e.putObject("pathParameters");
            pathParameters.forEach(p::put);
        }
        e.putNull("stageVariables");
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("resourcePath", resource).put("httpMethod", method).put("path", "/" + STAGE + path)
                .put("stage", STAGE).put("requestId", UUID.randomUUID().toString()).put("accountId", "123456789012")
                .put("apiId", "abc123").put("protocol", "HTTP/1.1");
        ctx.putObject("authorizer").put("principalId", tenant).put("tenant", tenant);
        ctx.putObject("identity").put("sourceIp", "203.0.113.7").put("apiKeyId", "usageplankey01")
                .put("userAgent", "curl/8.5.0");
        if (body == null) {
            e.putNull("body");
        } else {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e.toString();
    }

    static String onJob(String method, String suffix, String jobId, Map<String, String> query, String tenant) {
        return event(method, "/jobs/{id}" + suffix, "/jobs/" + jobId + suffix, Map.of("id", jobId), query, Map.of(),
                null, tenant);
    }
}
