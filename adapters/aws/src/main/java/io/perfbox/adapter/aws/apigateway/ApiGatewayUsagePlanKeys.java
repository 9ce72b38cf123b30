package io.perfbox.adapter.aws.apigateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;

/**
 * A tenant's own API Gateway key in the stack's usage plan (its throttle and daily quota per tenant), for the key
 * command: CreateApiKey, then CreateUsagePlanKey; and DeleteUsagePlanKey, then DeleteApiKey.
 *
 * <p>The calls are the API Gateway REST API's own (its API reference: {@code POST /apikeys}, {@code POST
 * /usageplans/{usageplanId}/keys}, {@code GET} of it, {@code DELETE /usageplans/{usageplanId}/keys/{keyId}},
 * {@code DELETE /apikeys/{api_Key}}), SigV4-signed by the SDK's signer (service
 * {@code apigateway}) and sent by the url-connection client the jar already has: the SDK's API Gateway module would add
 * 3 MB to the API jar, which its Lambdas load but never use.
 */
public final class ApiGatewayUsagePlanKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** API Gateway's ids (keys, usage plans) are 10 lower-case letters and digits; checked before they enter a path. */
    private static final Pattern ID = Pattern.compile("[a-z0-9]{1,64}");

    /** A key API Gateway made: its id, and its value (what the authorizer answers as usageIdentifierKey). */
    public record UsageKey(String id, String value) {
    }

    private final SdkHttpClient http;
    private final URI endpoint;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final String usagePlanId;

    /**
     * @param endpoint API Gateway's control-plane endpoint ({@link #endpointOf} for AWS's own)
     */
    public ApiGatewayUsagePlanKeys(SdkHttpClient http, URI endpoint, Region region, AwsCredentialsProvider credentials,
                                   String usagePlanId) {
        if (usagePlanId == null || !ID.matcher(usagePlanId).matches()) {
            throw new IllegalArgumentException("not a usage plan id: " + usagePlanId);
        }
        this.http = http;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.usagePlanId = usagePlanId;
    }

    /** {@code https://apigateway.<region>.amazonaws.com}, the regional endpoint of API Gateway's management API. */
    public static URI endpointOf(Region region) {
        return URI.create("https://apigateway." + region.id() + ".amazonaws.com");
    }

    /**
     * Makes an enabled key named {@code perfbox-<tenant>} (API Gateway chooses its value) and adds it to the usage
     * plan. If adding fails, the key is deleted again, so no key outside the plan is left.
     */
    public UsageKey create(String tenant) {
        ObjectNode body = JSON.createObjectNode()
                .put("name", "perfbox-" + tenant)
                .put("description", "perfbox tenant " + tenant + ": its usage plan key (throttle and quota)")
                .put("enabled", true);
        body.putObject("tags").put("perfbox:tenant", tenant);
        JsonNode key = call(SdkHttpMethod.POST, "/apikeys", body, 201);
        UsageKey created = new UsageKey(key.path("id").asText(), key.path("value").asText());
        if (!ID.matcher(created.id()).matches() || created.value().isEmpty()) {
            throw new IllegalStateException("API Gateway's CreateApiKey answered no id or value");
        }
        try {
            call(SdkHttpMethod.POST, "/usageplans/" + usagePlanId + "/keys",
                    JSON.createObjectNode().put("keyId", created.id()).put("keyType", "API_KEY"), 201);
        } catch (RuntimeException e) {
            try {
                delete(created.id());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return created;
    }

    /**
     * Takes the key out of the usage plan (DeleteUsagePlanKey), then deletes it (DeleteApiKey); a membership or key
     * already gone is fine. Both, explicitly: what becomes of a deleted key's memberships is not relied on.
     */
    public void delete(String keyId) {
        if (!ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("not an API key id: " + keyId);
        }
        call(SdkHttpMethod.DELETE, "/usageplans/" + usagePlanId + "/keys/" + keyId, null, 202, 404);
        call(SdkHttpMethod.DELETE, "/apikeys/" + keyId, null, 202, 404);
    }

    /** The ids of the usage plan's keys (GetUsagePlanKeys, every page). */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>();
        String position = null;
        do {
            JsonNode page = call(SdkHttpMethod.GET, "/usageplans/" + usagePlanId + "/keys?limit=500"
                    + (position == null ? "" : "&position=" + URLEncoder.encode(position, StandardCharsets.UTF_8)),
                    null, 200);
            JsonNode items = page.has("item") ? page.get("item") : page.path("items");
            items.forEach(k -> ids.add(k.path("id").asText()));
            position = page.hasNonNull("position") && !page.get("position").asText().isEmpty()
                    ? page.get("position").asText() : null;
        } while (position != null);
        return ids;
    }

    private JsonNode call(SdkHttpMethod method, String path, JsonNode body, int... expected) {
        byte[] payload = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(method).uri(endpoint.resolve(path))
                .putHeader("Accept", "application/json");
        if (payload != null) {
            request.putHeader("Content-Type", "application/json");
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(credentials.resolveIdentity().join())
                .request(request.build())
                .payload(payload == null ? null : ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "apigateway")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            int status = response.httpResponse().statusCode();
            byte[] answer;
            try (InputStream in = response.responseBody().map(s -> (InputStream) s).orElse(InputStream.nullInputStream())) {
                answer = in.readNBytes(1 << 20);
            }
            for (int ok : expected) {
                if (status == ok) {
                    return answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(answer);
                }
            }
            throw new IllegalStateException("API Gateway answered " + status + " to " + method + " " + path + ": "
                    + new String(answer, 0, Math.min(answer.length, 300), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("API Gateway " + method + " " + path, e);
        }
    }
}
