package io.perfbox.runtime.aws.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.apigateway.ApiGatewayUsagePlanKeys;
import io.perfbox.adapter.aws.dynamodb.ApiKeyTable;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.testing.aws.Moto;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A usage-plan key per tenant, on moto (API Gateway and DynamoDB): KeysTool create makes the tenant's own API Gateway
 * key in the usage plan (once per tenant), the authorizer answers its value as usageIdentifierKey, and remove-tenant
 * revokes the tenant's keys and deletes its API Gateway key (and so its membership of the plan).
 */
class TenantUsagePlanKeysIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/jobs";

    /** moto checks no signature: the test's own setup and checks go to it plainly. */
    private static JsonNode moto(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(Moto.endpoint().resolve(path))
                .header("Content-Type", "application/json")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
    }

    private static String authorizeWith(TenantAuthorizer authorizer, String key, String field) {
        return authorizer.authorize(JSON.createObjectNode().put("type", "TOKEN")
                .put("authorizationToken", "Bearer " + key).put("methodArn", METHOD_ARN)).path(field).asText();
    }

    @Test
    void createMakesOneUsagePlanKeyPerTenantTheAuthorizerAnswersAndRemoveTenantDeletesIt() throws Exception {
        String plan = moto("POST", "/usageplans", "{\"name\":\"perfbox-" + UUID.randomUUID() + "\"}").path("id").asText();
        assertThat(plan).isNotEmpty();
        String table = "perfbox-api-keys-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbClient dynamoDb = Moto.dynamoDb();
        ApiKeyTable.createIfMissing(dynamoDb, table);
        DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(dynamoDb, table);
        ApiKeys keys = new ApiKeys(store, Clock.systemUTC());
        ApiGatewayUsagePlanKeys gateway = new ApiGatewayUsagePlanKeys(UrlConnectionHttpClient.create(), Moto.endpoint(),
                Moto.region(), Moto.credentials(), plan);
        KeysTool.TenantUsageKeys usage = new KeysTool.TenantUsageKeys(gateway, store);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(KeysTool.run(List.of("create", "acme"), keys, Optional.of(usage), new PrintStream(out, true),
                new PrintStream(err, true))).as(err.toString()).isZero();
        String first = out.toString(StandardCharsets.UTF_8).strip();
        String keyId = store.usageKeyOf("acme").orElseThrow().keyId();
        assertThat(gateway.keyIds()).containsExactly(keyId);
        // A second key of the same tenant is metered on the same usage-plan key.
        out.reset();
        assertThat(KeysTool.run(List.of("create", "acme"), keys, Optional.of(usage), new PrintStream(out, true),
                new PrintStream(err, true))).isZero();
        String second = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(gateway.keyIds()).containsExactly(keyId);
        assertThat(keys.list()).as("the usage-key record is no perfbox key").hasSize(2);

        TenantAuthorizer authorizer = new TenantAuthorizer(keys,
                tenant -> store.usageKeyOf(tenant).map(DynamoDbApiKeyStore.UsageKey::value));
        String value = moto("GET", "/apikeys/" + keyId + "?includeValue=true", null).path("value").asText();
        assertThat(value).isNotEmpty();
        assertThat(authorizeWith(authorizer, first, "usageIdentifierKey")).isEqualTo(value);
        assertThat(authorizeWith(authorizer, second, "usageIdentifierKey")).isEqualTo(value);

        assertThat(KeysTool.run(List.of("remove-tenant", "acme"), keys, Optional.of(usage), new PrintStream(out, true),
                new PrintStream(err, true))).isZero();
        assertThat(gateway.keyIds()).isEmpty();
        assertThat(store.usageKeyOf("acme")).isEmpty();
        assertThat(authorizeWith(authorizer, first, "principalId")).isEqualTo("anonymous");
        assertThat(authorizeWith(authorizer, second, "usageIdentifierKey")).isEmpty();
        assertThat(KeysTool.run(List.of("remove-tenant", "acme"), keys, Optional.of(usage), new PrintStream(out, true),
                new PrintStream(err, true))).as("nothing left to remove").isEqualTo(1);
    }
}
