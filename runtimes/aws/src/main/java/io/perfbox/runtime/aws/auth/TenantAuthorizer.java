package io.perfbox.runtime.aws.auth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.LambdaLogging;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * API Gateway's TOKEN authorizer: the token ({@code Authorization: Bearer pbk_<id>_<secret>}) is checked by
 * {@link ApiKeys} against the hashed keys in DynamoDB. A valid, unrevoked key gets an Allow policy with its tenant as
 * {@code principalId} and as context {@code tenant}, which the API functions read; anything else a Deny (403).
 * API Gateway caches the answer per token for the authorizer's TTL, and the cached policy answers every route, so the
 * Allow covers the whole stage, not just the method that was called. The key itself is never logged, only its id.
 */
public final class TenantAuthorizer implements RequestStreamHandler {
    private static final Logger LOG = Logger.getLogger(TenantAuthorizer.class.getName());
    private static final ObjectMapper JSON = JsonMapper.builder().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).build();
    private static final Pattern BEARER = Pattern.compile("^Bearer\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern KEY_ID = Pattern.compile("^pbk_([0-9a-f]{12})_.*");
    /** {@code arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>}: the first two parts name the stage. */
    private static final Pattern METHOD_ARN = Pattern.compile("^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\\d{12}:[a-z0-9]+/[^/]+)/.*");

    private final ApiKeys keys;
    private final Function<String, Optional<String>> usageKeyOf;

    /** For Lambda: JSON logs, the settings read once, and the keys table through the container's credentials. */
    public TenantAuthorizer() {
        this(wired());
    }

    private TenantAuthorizer(DynamoDbApiKeyStore store) {
        this(new ApiKeys(store, Clock.systemUTC()), tenant -> store.usageKeyOf(tenant).map(DynamoDbApiKeyStore.UsageKey::value));
    }

    /** Without usage-plan keys (no usageIdentifierKey is answered). */
    public TenantAuthorizer(ApiKeys keys) {
        this(keys, null);
    }

    /**
     * @param usageKeyOf the value of the tenant's own API Gateway key in the stack's usage plan, if it has one
     *                   (KeysTool create makes it), answered as usageIdentifierKey
     */
    public TenantAuthorizer(ApiKeys keys, Function<String, Optional<String>> usageKeyOf) {
        this.keys = keys;
        this.usageKeyOf = usageKeyOf;
    }

    private Optional<String> usageKeyOf(String tenant) {
        return usageKeyOf == null ? Optional.empty() : usageKeyOf.apply(tenant);
    }

    private static DynamoDbApiKeyStore wired() {
        LambdaLogging.install();
        AuthorizerConfig config = AuthorizerConfig.from(System.getenv());
        return new DynamoDbApiKeyStore(dynamoDb(config), config.apiKeysTable());
    }

    /** The keys table's client: AWS's own endpoint for the region, the lightest HTTP client to start. */
    static DynamoDbClient dynamoDb(AuthorizerConfig config) {
        return DynamoDbClient.builder().region(config.region()).credentialsProvider(AwsRuntime.lambdaCredentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JSON.writeValue(output, authorize(JSON.readTree(input)));
    }

    /** The policy for one TOKEN authorizer event. */
    public ObjectNode authorize(JsonNode event) {
        String token = BEARER.matcher(event.path("authorizationToken").asText("").strip()).replaceFirst("");
        String methodArn = event.path("methodArn").asText("");
        var idMatch = KEY_ID.matcher(token);
        String keyId = idMatch.matches() ? idMatch.group(1) : "(none)";
        Optional<String> tenant = keys.tenantOf(token);
        var stage = METHOD_ARN.matcher(methodArn);
        String resource = stage.matches() ? stage.group(1) + "/*/*" : methodArn;
        if (tenant.isPresent()) {
            LOG.info(() -> "allowed key " + keyId + " for tenant " + tenant.get());
            ObjectNode policy = policy(tenant.get(), "Allow", resource);
            policy.putObject("context").put("tenant", tenant.get());
            // The tenant's own key of the usage plan (the API's key source is AUTHORIZER): API Gateway meters and
            // throttles the request on it. AWS's "Output from an API Gateway Lambda authorizer" documents the field:
            // "usageIdentifierKey": "{api-key}", the value of one of the usage plan's API keys. Without it API Gateway
            // refuses the request (403), as it does one with an unknown key.
            Optional<String> usageKey = usageKeyOf(tenant.get());
            if (usageKey.isPresent()) {
                policy.put("usageIdentifierKey", usageKey.get());
            } else if (usageKeyOf != null) {
                LOG.warning(() -> "tenant " + tenant.get() + " has no usage-plan key: API Gateway refuses its requests"
                        + " until KeysTool create makes one");
            }
            return policy;
        }
        LOG.info(() -> "denied key " + keyId);
        // Deny only the method asked for: a denial must not be cached as covering anything more.
        return policy("anonymous", "Deny", methodArn.isEmpty() ? "*" : methodArn);
    }

    private static ObjectNode policy(String principal, String effect, String resource) {
        ObjectNode response = JSON.createObjectNode().put("principalId", principal);
        ObjectNode document = response.putObject("policyDocument").put("Version", "2012-10-17");
        document.putArray("Statement").addObject()
                .put("Action", "execute-api:Invoke").put("Effect", effect).put("Resource", resource);
        return response;
    }
}
