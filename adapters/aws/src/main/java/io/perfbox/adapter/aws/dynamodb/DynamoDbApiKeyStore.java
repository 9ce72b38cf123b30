package io.perfbox.adapter.aws.dynamodb;

import io.perfbox.core.port.ApiKeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link ApiKeyStore} on DynamoDB: one item per key in its own table ({@link ApiKeyTable}), so that the authorizer
 * can be granted {@code GetItem} on the keys and nothing on the jobs. Reads are strongly consistent: a revoke counts
 * from the next check on. {@link #list} scans (an operator's command, not a request path) and orders by a sequence
 * number taken from a counter item at {@link #add}, since keys created in the same instant must still list in order.
 */
public final class DynamoDbApiKeyStore implements ApiKeyStore {
    static final String ID = ApiKeyTable.PK;
    private static final String COUNTER = "#counter";
    /** The prefix of the tenants' usage-plan key items ({@link #usageKeyOf}); like the counter, never a key id. */
    private static final String USAGE = "#usage#";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbApiKeyStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public void add(StoredKey key) {
        long seq = Long.parseLong(client.updateItem(b -> b.tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(COUNTER)))
                .updateExpression("ADD seq :one")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes().get("seq").n());
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(key.id()));
        item.put("tenant", AttributeValue.fromS(key.tenant()));
        item.put("secretHash", AttributeValue.fromB(SdkBytes.fromByteArray(key.secretHash())));
        item.put("createdAt", AttributeValue.fromS(key.createdAt().toString()));
        item.put("seq", AttributeValue.fromN(Long.toString(seq)));
        key.revokedAt().ifPresent(at -> item.put("revokedAt", AttributeValue.fromS(at.toString())));
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("an API key with id " + key.id() + " exists already", e);
        }
    }

    @Override
    public Optional<StoredKey> find(String id) {
        if (id.startsWith("#")) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(id))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** A tenant's usage-plan key: API Gateway's id and value of the key its requests are metered on. */
    public record UsageKey(String tenant, String keyId, String value) {
    }

    /**
     * The tenant's usage-plan key, if it has one: one consistent GetItem of {@code #usage#<tenant>} (key ids are hex,
     * so never such a name), which the authorizer answers as {@code usageIdentifierKey}.
     */
    public Optional<UsageKey> usageKeyOf(String tenant) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(USAGE + tenant))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(new UsageKey(tenant, item.get("keyId").s(), item.get("value").s()));
    }

    /** Records the tenant's usage-plan key; false when it has one already (which stays). */
    public boolean putUsageKey(UsageKey key) {
        try {
            client.putItem(b -> b.tableName(table).item(Map.of(ID, AttributeValue.fromS(USAGE + key.tenant()),
                    "keyId", AttributeValue.fromS(key.keyId()), "value", AttributeValue.fromS(key.value())))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    public void removeUsageKey(String tenant) {
        client.deleteItem(b -> b.tableName(table).key(Map.of(ID, AttributeValue.fromS(USAGE + tenant))));
    }

    @Override
    public List<StoredKey> list() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        client.scanPaginator(b -> b.tableName(table).consistentRead(true)).items().forEach(item -> {
            if (!item.get(ID).s().startsWith("#")) {
                items.add(item);
            }
        });
        items.sort(Comparator.comparingLong(item -> Long.parseLong(item.get("seq").n())));
        return items.stream().map(DynamoDbApiKeyStore::fromItem).toList();
    }

    @Override
    public boolean revoke(String id, Instant at) {
        if (id.startsWith("#")) {
            return false;
        }
        try {
            client.updateItem(b -> b.tableName(table).key(Map.of(ID, AttributeValue.fromS(id)))
                    .updateExpression("SET revokedAt = :at")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(revokedAt)")
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromS(at.toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static StoredKey fromItem(Map<String, AttributeValue> item) {
        AttributeValue revoked = item.get("revokedAt");
        return new StoredKey(item.get(ID).s(), item.get("tenant").s(), item.get("secretHash").b().asByteArray(),
                Instant.parse(item.get("createdAt").s()),
                Optional.ofNullable(revoked).map(r -> Instant.parse(r.s())));
    }
}
