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
 *   <li>{@link io.perfbox.core.port.TenantUsage}, over the sparse {@code byUsage} index ({@code usageKey},
 *       {@code createdKey}): a job under way carries {@code usageKey = ACTIVE#<owner>}, and its submission, an item
 *       {@code pk = SUB#<id>} put in the job's own create transaction, carries {@code usageKey = SUB#<owner>} while it
 *       counts (a platform fault's write puts it again without the attribute, in the same transaction as the job).
 *       A delete removes the job item only, so the submission stays. Each count is one {@code Select COUNT} query
 *       of one owner's partition of the index, never a scan. One index for both, since a table update may add only
 *       one index at a time. Submission items carry {@code expiresAt} (epoch seconds, creation plus
 *       {@code TenantUsage.RETENTION}) for the table's TTL;</li>
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
    public static final String USAGE_KEY = "usageKey";
    public static final String BY_USAGE = "byUsage";
    /** The TTL attribute of submission items. */
    public static final String EXPIRES_AT = "expiresAt";

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
                        AttributeDefinition.builder().attributeName(ACTIVE_KEY).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(USAGE_KEY).attributeType(ScalarAttributeType.S).build())
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
                        .build(),
                        GlobalSecondaryIndex.builder()
                        .indexName(BY_USAGE)
                        .keySchema(
                                KeySchemaElement.builder().attributeName(USAGE_KEY).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(CREATED_KEY).keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                        .build())
                .build());
    }
}
