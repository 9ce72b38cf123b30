package io.perfbox.runtime.aws.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.testing.fakes.InMemoryApiKeyStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class TenantAuthorizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/jobs/42";

    private final ApiKeys keys = new ApiKeys(new InMemoryApiKeyStore(), Clock.systemUTC());
    private final TenantAuthorizer authorizer = new TenantAuthorizer(keys);

    private JsonNode authorize(String token) throws Exception {
        String event = JSON.createObjectNode().put("type", "TOKEN").put("authorizationToken", token)
                .put("methodArn", METHOD_ARN).toString();
        var out = new ByteArrayOutputStream();
        authorizer.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private static JsonNode statement(JsonNode policy) {
        assertThat(policy.path("policyDocument").path("Version").asText()).isEqualTo("2012-10-17");
        assertThat(policy.path("policyDocument").path("Statement")).hasSize(1);
        JsonNode s = policy.path("policyDocument").path("Statement").get(0);
        assertThat(s.path("Action").asText()).isEqualTo("execute-api:Invoke");
        return s;
    }

    @Test
    void aValidBearerKeyIsAllowedOnTheWholeStageWithItsTenantAsPrincipalAndContext() throws Exception {
        String key = keys.create("acme").key();

        JsonNode policy = authorize("Bearer " + key);

        assertThat(policy.path("principalId").asText()).isEqualTo("acme");
        assertThat(policy.path("context").path("tenant").asText()).isEqualTo("acme");
        JsonNode s = statement(policy);
        assertThat(s.path("Effect").asText()).isEqualTo("Allow");
        // The cached answer serves every route of the stage for the TTL.
        assertThat(s.path("Resource").asText()).isEqualTo("arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/*");
        assertThat(authorize(key).path("principalId").asText()).as("without the Bearer prefix").isEqualTo("acme");
    }

    @Test
    void anAllowCarriesTheTenantsOwnUsagePlanKeyAsUsageIdentifierKeyAndADenyNone() throws Exception {
        // The output AWS documents for a Lambda authorizer ("Output from an API Gateway Lambda authorizer", API
        // Gateway developer guide): principalId, policyDocument, context, and "usageIdentifierKey": "{api-key}", the
        // value of a usage plan's API key when the API's key source is AUTHORIZER.
        TenantAuthorizer metered = new TenantAuthorizer(keys,
                tenant -> tenant.equals("acme") ? Optional.of("acme-usage-key-value") : Optional.empty());
        String acme = keys.create("acme").key();
        String globex = keys.create("globex").key();
        String event = JSON.createObjectNode().put("type", "TOKEN").put("authorizationToken", "Bearer " + acme)
                .put("methodArn", METHOD_ARN).toString();

        JsonNode allowed = metered.authorize(JSON.readTree(event));

        assertThat(allowed.path("usageIdentifierKey").asText()).isEqualTo("acme-usage-key-value");
        assertThat(allowed.path("principalId").asText()).isEqualTo("acme");
        // A tenant without one gets no other tenant's key (API Gateway then refuses it).
        JsonNode unmetered = metered.authorize(JSON.readTree(event.replace(acme, globex)));
        assertThat(unmetered.path("principalId").asText()).isEqualTo("globex");
        assertThat(unmetered.has("usageIdentifierKey")).isFalse();
        JsonNode denied = metered.authorize(JSON.readTree(event.replace(acme, acme + "x")));
        assertThat(denied.has("usageIdentifierKey")).isFalse();
        assertThat(statement(denied).path("Effect").asText()).isEqualTo("Deny");
    }

    private void assertDenied(JsonNode policy) {
        assertThat(policy.has("context")).isFalse();
        assertThat(policy.path("principalId").asText()).isEqualTo("anonymous");
        JsonNode s = statement(policy);
        assertThat(s.path("Effect").asText()).isEqualTo("Deny");
        assertThat(s.path("Resource").asText()).isEqualTo(METHOD_ARN);
    }

    @Test
    void anUnknownKeyIsDenied() throws Exception {
        String key = keys.create("acme").key();
        assertDenied(authorize("Bearer pbk_ffffffffffff" + key.substring(16)));
    }

    @Test
    void aKnownIdWithAWrongSecretIsDenied() throws Exception {
        String key = keys.create("acme").key();
        assertDenied(authorize("Bearer " + key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A")));
    }

    @Test
    void aRevokedKeyIsDenied() throws Exception {
        var created = keys.create("acme");
        keys.revoke(created.id());
        assertDenied(authorize("Bearer " + created.key()));
    }

    @Test
    void anEmptyOrMalformedTokenIsDenied() throws Exception {
        assertDenied(authorize(""));
        assertDenied(authorize("Bearer"));
        assertDenied(authorize("Basic dXNlcjpwYXNz"));
    }

    @Test
    void theLogNamesTheKeyIdButNeverTheKey() throws Exception {
        var created = keys.create("acme");
        List<String> lines = new ArrayList<>();
        Logger logger = Logger.getLogger(TenantAuthorizer.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            authorize("Bearer " + created.key());
            authorize("Bearer " + created.key() + "x");
        } finally {
            logger.removeHandler(capture);
        }
        String secret = created.key().substring(("pbk_" + created.id() + "_").length());
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).contains(created.id()).doesNotContain(secret));
    }

    @Test
    void theConfigNamesTheMissingKeysTable() {
        var env = Map.of("AWS_REGION", "eu-west-1");
        Assertions.assertThatThrownBy(() -> AuthorizerConfig.from(env))
                .hasMessageContaining(AuthorizerConfig.API_KEYS_TABLE);
        var ok = new HashMap<>(env);
        ok.put(AuthorizerConfig.API_KEYS_TABLE, "perfbox-keys");
        assertThat(AuthorizerConfig.from(ok).apiKeysTable()).isEqualTo("perfbox-keys");
    }
}
