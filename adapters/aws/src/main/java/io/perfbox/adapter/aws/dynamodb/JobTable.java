package io.perfbox.adapter.aws.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The jobs table. Items:
 * <ul>
 *   <li>a job: {@code pk = JOB#<id>}, with {@code owner} and {@code createdKey} (createdAt, fixed width, then
 *       {@code #<id>}) as the key of the {@code byOwner} index, which lists an owner's jobs newest first;</li>
 *   <li>a job not yet ended (QUEUED, BUILDING, SCANNING, RUNNING) also carries {@code activeKey} ({@value #ACTIVE}),
 *       the key of the sparse {@code byActive} index (with {@code createdKey}): only active jobs are in it, so the
 *       reconciler finds them without scanning the table. The attribute goes with the job's terminal write (each write
 *       puts the whole item), and the item leaves the index;</li>
 *   <li>an idempotency record: {@code pk = IDEM#<owner>#<key>}, holding the job id and a request fingerprint.
 *       It has no index attributes, so it never shows in listings.</li>
 * </ul>
 */
public final class JobTable {
    public static final String PK = "pk";
    public static final String OWNER = "owner";
    public static final String CREATED_KEY = "createdKey";
    public static final String BY_OWNER = "byOwner";
    public static final String ACTIVE_KEY = "activeKey";
    /** The one value of {@link #ACTIVE_KEY}: active jobs are few, one partition holds them. */
    public static final String ACTIVE = "ACTIVE";
    public static final String BY_ACTIVE = "byActive";

    private JobTable() {
    }

    /** Creates the table on demand (pay per request) and waits until it is active. */
    public static void createIfMissing(DynamoDbClient client, String tableName) {
        DynamoDbTables.createIfMissing(client, CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(OWNER).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(CREATED_KEY).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(ACTIVE_KEY).attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(BY_OWNER)
                        .keySchema(
                                KeySchemaElement.builder().attributeName(OWNER).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(CREATED_KEY).keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                        .build(),
                        GlobalSecondaryIndex.builder()
                        .indexName(BY_ACTIVE)
                        .keySchema(
                                KeySchemaElement.builder().attributeName(ACTIVE_KEY).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(CREATED_KEY).keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                        .build())
                .build());
    }
}
