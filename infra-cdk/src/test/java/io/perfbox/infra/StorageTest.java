package io.perfbox.infra;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The job table and the artifact bucket. */
class StorageTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    @Test
    void jobTableHasTheStoresKeyDesignAndIsOnDemandWithRecovery() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")),
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "GlobalSecondaryIndexes", List.of(Match.objectLike(Map.of(
                        "IndexName", "byOwner",
                        "KeySchema", List.of(
                                Map.of("AttributeName", "owner", "KeyType", "HASH"),
                                Map.of("AttributeName", "createdKey", "KeyType", "RANGE")),
                        "Projection", Map.of("ProjectionType", "ALL"))),
                        // The sparse index of active jobs (ReconcilerTest).
                        Match.objectLike(Map.of("IndexName", "byActive")),
                        // The tenants' usage, as the DynamoDB job store queries it (DynamoDbTenantUsageIT).
                        Map.of("IndexName", "byUsage",
                                "KeySchema", List.of(
                                        Map.of("AttributeName", "usageKey", "KeyType", "HASH"),
                                        Map.of("AttributeName", "createdKey", "KeyType", "RANGE")),
                                "Projection", Map.of("ProjectionType", "KEYS_ONLY")))));
    }

    @Test
    void submissionItemsExpireThroughTheTablesTimeToLive() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")),
                "GlobalSecondaryIndexes", Match.arrayWith(List.of(Match.objectLike(Map.of("IndexName", "byUsage")))),
                "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true))));
    }

    @Test
    void artifactBucketIsEncryptedPrivateAndExpiresOldArtifactsButNeverTheScannerBinary() {
        template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration",
                        List.of(Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                // Expiry by prefix only: scanner/trivy-*/trivy, which every build needs, is in neither.
                "LifecycleConfiguration", Map.of("Rules", List.of(
                        Match.objectLike(Map.of("Prefix", "jobs/", "ExpirationInDays", 30, "Status", "Enabled")),
                        Match.objectLike(Map.of("Prefix", "scanner/db-archives/", "ExpirationInDays", 7,
                                "Status", "Enabled")),
                        Map.of("Id", "abort-incomplete-uploads", "AbortIncompleteMultipartUpload",
                                Map.of("DaysAfterInitiation", 1), "Status", "Enabled"))))));
    }

    @Test
    void bucketPolicyRefusesRequestsWithoutTls() {
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
    }
}
