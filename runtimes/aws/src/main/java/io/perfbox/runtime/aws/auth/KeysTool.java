package io.perfbox.runtime.aws.auth;

import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore.StoredKey;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The operator's command for the tenants' keys on AWS, from the API jar:
 * {@code java -cp perfbox-aws-api.jar io.perfbox.runtime.aws.auth.KeysTool create <tenant> | list | revoke <id>},
 * with {@code AWS_REGION} and {@code PERFBOX_API_KEYS_TABLE} (the stack's ApiKeysTable output) set and the
 * operator's own AWS credentials. The same {@link ApiKeys} as the authorizer, so the stored form is the one it
 * checks; the key is printed once, at creation, and is not recoverable.
 */
public final class KeysTool {
    private static final String USAGE = "usage: KeysTool create <tenant> | list | revoke <key-id>";

    private KeysTool() {
    }

    public static void main(String[] args) {
        int status;
        if (args.length == 0) {
            System.err.println(USAGE);
            status = 2;
        } else {
            AuthorizerConfig config = AuthorizerConfig.from(System.getenv());
            try (DynamoDbClient dynamoDb = DynamoDbClient.builder().region(config.region()).build()) {
                status = run(List.of(args), new ApiKeys(new DynamoDbApiKeyStore(dynamoDb, config.apiKeysTable()),
                        Clock.systemUTC()), System.out, System.err);
            }
        }
        System.exit(status);
    }

    /** 0 done, 1 nothing to revoke, 2 usage or a bad tenant name. */
    static int run(List<String> args, ApiKeys keys, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "" : args.get(0);
        switch (command) {
            case "create" -> {
                if (args.size() != 2) {
                    break;
                }
                try {
                    ApiKeys.CreatedKey created = keys.create(args.get(1));
                    out.println(created.key());
                    err.println("created key " + created.id() + " for tenant " + created.tenant()
                            + "; it is shown only now. Clients send it as: Authorization: Bearer <key>");
                    return 0;
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    return 2;
                }
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
