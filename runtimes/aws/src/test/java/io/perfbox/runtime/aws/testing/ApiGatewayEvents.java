package io.perfbox.runtime.aws.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * API Gateway REST proxy events as the service sends them to a Lambda: every field of the documented format,
 * including those the Java event classes lack (identity.tenant, identity.clientCert, requestContext.protocol,
 * requestContext.authorizer). Every event carries an API Gateway key id (usage plans), which is never the tenant.
 */
public final class ApiGatewayEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String STAGE = "v1";
    /** The API Gateway key id every event carries: a usage plan's key, never the tenant. */
    public static final String USAGE_PLAN_KEY_ID = "usageplankey01";

    private ApiGatewayEvents() {
    }

    /** A GET of {@code path} (its own resource) with query string parameters, as API Gateway's proxy sends it. */
    public static String query(String path, Map<String, String> query, String tenant) {
        try {
            ObjectNode e = (ObjectNode) JSON.readTree(event("GET", path, path, Map.of(), Map.of(), null, tenant));
            if (!query.isEmpty()) {
                ObjectNode q = e.putObject("queryStringParameters");
                ObjectNode mq = e.putObject("multiValueQueryStringParameters");
                query.forEach((name, value) -> {
                    q.put(name, value);
                    mq.putArray(name).add(value);
                });
            }
            return JSON.writeValueAsString(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param resource the API resource, e.g. {@code /jobs/{id}}
     * @param path the request path, e.g. {@code /jobs/3f2b...}
     * @param tenant the tenant the Lambda authorizer vouched for, or null for no authorizer context
     */
    public static String event(String method, String resource, String path, Map<String, String> pathParameters,
                               Map<String, String> headers, String body, String tenant) {
        ObjectNode e = JSON.createObjectNode();
        e.put("resource", resource);
        e.put("path", path);
        e.put("httpMethod", method);
        ObjectNode h = e.putObject("headers");
        ObjectNode mh = e.putObject("multiValueHeaders");
        h.put("Host", "abc123.execute-api.eu-west-1.amazonaws.com");
        h.put("X-Amzn-Trace-Id", "Root=1-" + Long.toHexString(System.nanoTime()));
        h.put("x-api-key", "the-secret-key-value");
        headers.forEach(h::put);
        h.properties().forEach(f -> mh.putArray(f.getKey()).add(f.getValue().asText()));
        e.putNull("queryStringParameters");
        e.putNull("multiValueQueryStringParameters");
        if (pathParameters.isEmpty()) {
            e.putNull("pathParameters");
        } else {
            ObjectNode p = e.putObject("pathParameters");
            pathParameters.forEach(p::put);
        }
        e.putNull("stageVariables");
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("resourceId", "r3s0ur");
        ctx.put("resourcePath", resource);
        ctx.put("httpMethod", method);
        ctx.put("extendedRequestId", "Ext-" + UUID.randomUUID());
        ctx.put("requestTime", "23/Nov/2026:16:00:00 +0000");
        // The stack's stage (JobApi): the path the client asked for carries it, the route's path does not.
        ctx.put("path", "/" + STAGE + path);
        ctx.put("accountId", "123456789012");
        ctx.put("protocol", "HTTP/1.1");
        ctx.put("stage", STAGE);
        ctx.put("domainPrefix", "abc123");
        ctx.put("requestTimeEpoch", Instant.now().toEpochMilli());
        ctx.put("requestId", UUID.randomUUID().toString());
        ctx.put("domainName", "abc123.execute-api.eu-west-1.amazonaws.com");
        ctx.put("apiId", "abc123");
        if (tenant != null) {
            // What API Gateway passes on from a Lambda authorizer: principalId and the context's values.
            ctx.putObject("authorizer").put("principalId", tenant).put("tenant", tenant).put("integrationLatency", 12);
        }
        ObjectNode identity = ctx.putObject("identity");
        identity.putNull("cognitoIdentityPoolId");
        identity.putNull("accountId");
        identity.putNull("cognitoIdentityId");
        identity.putNull("caller");
        identity.put("apiKey", "the-secret-key-value");
        identity.put("apiKeyId", USAGE_PLAN_KEY_ID);
        identity.put("sourceIp", "203.0.113.7");
        identity.putNull("principalOrgId");
        identity.putNull("accessKey");
        identity.putNull("cognitoAuthenticationType");
        identity.putNull("cognitoAuthenticationProvider");
        identity.putNull("userArn");
        identity.put("userAgent", "curl/8.5.0");
        identity.putNull("user");
        identity.putNull("clientCert");
        if (body == null) {
            e.putNull("body");
        } else {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e.toString();
    }

    public static String submit(String dockerfile, String tenant) {
        return event("POST", "/jobs", "/jobs", Map.of(), Map.of("Content-Type", "text/plain; charset=utf-8"),
                dockerfile, tenant);
    }

    public static String onJob(String method, String jobId, String tenant) {
        return event(method, "/jobs/{id}", "/jobs/" + jobId, Map.of("id", jobId), Map.of(), null, tenant);
    }

    /** {@code POST /jobs/{id}/cancel}. */
    public static String cancel(String jobId, String tenant) {
        return event("POST", "/jobs/{id}/cancel", "/jobs/" + jobId + "/cancel", Map.of("id", jobId), Map.of(), null,
                tenant);
    }
}
