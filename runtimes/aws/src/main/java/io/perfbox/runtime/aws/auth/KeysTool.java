package io.perfbox.runtime.aws.auth;

import io.perfbox.adapter.aws.apigateway.ApiGatewayUsagePlanKeys;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore.StoredKey;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The operator's command for the tenants' keys on AWS, from the API jar:
 * {@code java -cp perfbox-aws-api.jar io.perfbox.runtime.aws.auth.KeysTool create <tenant> | list | revoke <id> |
 * remove-tenant <tenant>} (create also makes the tenant's usage-plan key when {@value #USAGE_PLAN_ID} is set),
 * with {@code AWS_REGION} and {@code PERFBOX_API_KEYS_TABLE} (the stack's ApiKeysTable output) set and the
 * operator's own AWS credentials. The same {@link ApiKeys} as the authorizer, so the stored form is the one it
 * checks; the key is printed once, at creation, and is not recoverable.
 */
public final class KeysTool {
    private static final String USAGE = "usage: KeysTool create <tenant> | list | revoke <key-id> | remove-tenant <tenant>";
    /** The stack's usage plan (its UsagePlanId output): where each tenant's own API Gateway key goes. */
    public static final String USAGE_PLAN_ID = "PERFBOX_USAGE_PLAN_ID";

    /**
     * The tenants' own API Gateway keys in the usage plan, recorded in the keys table for the authorizer's
     * usageIdentifierKey: one per tenant, made with its first perfbox key, deleted with the tenant.
     */
    public record TenantUsageKeys(ApiGatewayUsagePlanKeys gateway, DynamoDbApiKeyStore store) {
        /** The tenant's key id: the one recorded, else a new key in the usage plan, recorded. */
        public String ensure(String tenant) {
            Optional<DynamoDbApiKeyStore.UsageKey> known = store.usageKeyOf(tenant);
            if (known.isPresent()) {
                return known.get().keyId();
            }
            ApiGatewayUsagePlanKeys.UsageKey made = gateway.create(tenant);
            if (!store.putUsageKey(new DynamoDbApiKeyStore.UsageKey(tenant, made.id(), made.value()))) {
                // Another create for the same tenant recorded its key first: this one is not needed.
                gateway.delete(made.id());
                return store.usageKeyOf(tenant).orElseThrow().keyId();
            }
            return made.id();
        }

        /** Deletes the tenant's key from API Gateway (and so from the plan), then its record; false if it had none. */
        public boolean remove(String tenant) {
            Optional<DynamoDbApiKeyStore.UsageKey> known = store.usageKeyOf(tenant);
            known.ifPresent(k -> gateway.delete(k.keyId()));
            store.removeUsageKey(tenant);
            return known.isPresent();
        }
    }

    private KeysTool() {
    }

    public static void main(String[] args) {
        int status;
        if (args.length == 0) {
            System.err.println(USAGE);
            status = 2;
        } else {
            AuthorizerConfig config = AuthorizerConfig.from(System.getenv());
            String usagePlan = System.getenv(USAGE_PLAN_ID);
            try (DynamoDbClient dynamoDb = DynamoDbClient.builder().region(config.region()).build();
                 SdkHttpClient http = UrlConnectionHttpClient.create()) {
                DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(dynamoDb, config.apiKeysTable());
                Optional<TenantUsageKeys> usage = usagePlan == null || usagePlan.isBlank() ? Optional.empty()
                        : Optional.of(new TenantUsageKeys(new ApiGatewayUsagePlanKeys(http,
                        ApiGatewayUsagePlanKeys.endpointOf(config.region()), config.region(),
                        DefaultCredentialsProvider.builder().build(), usagePlan.strip()), store));
                status = run(List.of(args), new ApiKeys(store, Clock.systemUTC()), usage, System.out, System.err);
            }
        }
        System.exit(status);
    }

    /** Without usage-plan keys (no PERFBOX_USAGE_PLAN_ID). */
    static int run(List<String> args, ApiKeys keys, PrintStream out, PrintStream err) {
        return run(args, keys, Optional.empty(), out, err);
    }

    /** 0 done, 1 nothing to revoke or remove, 2 usage or a bad tenant name; 3 the usage plan's key could not be made. */
    static int run(List<String> args, ApiKeys keys, Optional<TenantUsageKeys> usage, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "" : args.get(0);
        switch (command) {
            case "create" -> {
                if (args.size() != 2) {
                    break;
                }
                ApiKeys.CreatedKey created;
                try {
                    created = keys.create(args.get(1));
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    return 2;
                }
                out.println(created.key());
                err.println("created key " + created.id() + " for tenant " + created.tenant()
                        + "; it is shown only now. Clients send it as: Authorization: Bearer <key>");
                if (usage.isEmpty()) {
                    err.println(USAGE_PLAN_ID + " is not set: the tenant's usage-plan key was not checked or made");
                    return 0;
                }
                try {
                    String keyId = usage.get().ensure(created.tenant());
                    err.println("tenant " + created.tenant() + " is metered on its usage-plan key " + keyId);
                    return 0;
                } catch (RuntimeException e) {
                    err.println("could not make tenant " + created.tenant() + "'s usage-plan key (API Gateway refuses "
                            + "its requests until it has one; run create again): " + e.getMessage());
                    return 3;
                }
            }
            case "remove-tenant" -> {
                if (args.size() != 2 || usage.isEmpty()) {
                    if (usage.isEmpty()) {
                        err.println("remove-tenant needs " + USAGE_PLAN_ID);
                    }
                    break;
                }
                String tenant = args.get(1);
                int revoked = 0;
                for (StoredKey key : keys.list()) {
                    if (key.tenant().equals(tenant) && !key.revoked() && keys.revoke(key.id())) {
                        revoked++;
                    }
                }
                boolean removed = usage.get().remove(tenant);
                err.println("tenant " + tenant + ": " + revoked + " key(s) revoked, usage-plan key "
                        + (removed ? "deleted" : "none"));
                return revoked > 0 || removed ? 0 : 1;
            }
            case "list" -> {
                if (args.size() != 1) {
                    break;
                }
                out.println("ID\tTENANT\tCREATED\tREVOKED");
                for (StoredKey key : keys.list()) {
                    out.println(key.id() + "\t" + key.tenant() + "\t" + key.createdAt() + "\t"
                            + key.revokedAt().map(Object::toString).orElse("-"));
                }
                return 0;
            }
            case "revoke" -> {
                if (args.size() != 2) {
                    break;
                }
                if (keys.revoke(args.get(1))) {
                    err.println("revoked key " + args.get(1) + "; the authorizer refuses it within "
                            + "its cache TTL (60 s)");
                    return 0;
                }
                err.println("no unrevoked key with id " + args.get(1));
                return 1;
            }
            default -> { }
        }
        err.println(USAGE);
        return 2;
    }
}
