package io.perfbox.adapter.aws.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The API keys table: {@code pk} is the key id; items hold {@code tenant}, {@code secretHash} (SHA-256 of the
 * secret, binary), {@code createdAt}, {@code seq} and, once revoked, {@code revokedAt}. One counter item
 * ({@code pk = #counter}) hands out {@code seq}.
 */
public final class ApiKeyTable {
    public static final String PK = "pk";

    private ApiKeyTable() {
    }

    /** Creates the table on demand (pay per request) and waits until it is active. */
    public static void createIfMissing(DynamoDbClient client, String tableName) {
        DynamoDbTables.createIfMissing(client, CreateTableRequest.builder().tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(PK)
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build())
                .build());
    }
}
