package io.perfbox.infra;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.constructs.Construct;

/**
 * The jobs table, the same key design the DynamoDB job store uses (io.perfbox.adapter.aws.dynamodb.JobTable):
 * {@code pk} for jobs and idempotency records, and the {@code byOwner} index (owner, createdKey) that lists a
 * tenant's jobs newest first, and the sparse {@code byActive} index (activeKey, createdKey) of the jobs under way,
 * which the reconciler queries instead of scanning the table.
 */
public final class JobStoreTable extends Construct {
    public static final String PK = "pk";
    public static final String BY_OWNER = "byOwner";
    /** Sparse: only jobs not yet ended carry its key, {@code activeKey} (io.perfbox.adapter.aws.dynamodb.JobTable). */
    public static final String BY_ACTIVE = "byActive";
    /**
     * Sparse, keys only: the tenants' usage (jobs under way as {@code ACTIVE#<owner>}, counting submissions as
     * {@code SUB#<owner>}), counted by one query each (io.perfbox.adapter.aws.dynamodb.JobTable).
     */
    public static final String BY_USAGE = "byUsage";
    private final Table table;

    public JobStoreTable(Construct scope, String id) {
        super(scope, id);
        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name(PK).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                // cdk destroy must leave nothing billable behind.
                .removalPolicy(RemovalPolicy.DESTROY)
                // Submission items expire after TenantUsage.RETENTION, finished jobs and idempotency records after
                // perfbox:artifactRetentionDays (DynamoDbJobStore); a job under way carries no expiresAt.
                .timeToLiveAttribute("expiresAt")
                .build();
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(BY_OWNER)
                .partitionKey(Attribute.builder().name("owner").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("createdKey").type(AttributeType.STRING).build())
                .projectionType(ProjectionType.ALL)
                .build());
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(BY_ACTIVE)
                .partitionKey(Attribute.builder().name("activeKey").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("createdKey").type(AttributeType.STRING).build())
                .projectionType(ProjectionType.ALL)
                .build());
        table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(BY_USAGE)
                .partitionKey(Attribute.builder().name("usageKey").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("createdKey").type(AttributeType.STRING).build())
                .projectionType(ProjectionType.KEYS_ONLY)
                .build());
    }

    public Table table() {
        return table;
    }
}
