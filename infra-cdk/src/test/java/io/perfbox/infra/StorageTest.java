package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
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
    void submissionsFinishedJobsAndIdempotencyRecordsExpireThroughTheTablesTimeToLive() {
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
                        // The retention (30 days after a job's end) plus the 2 days a job may be under way at most
                        // (the execution's limit, rounded up), as its objects are written from its submission on.
                        Match.objectLike(Map.of("Prefix", "jobs/", "ExpirationInDays", 30 + 2, "Status", "Enabled")),
                        Match.objectLike(Map.of("Prefix", "scanner/db-archives/", "ExpirationInDays", 7,
                                "Status", "Enabled")),
                        Map.of("Id", "abort-incomplete-uploads", "AbortIncompleteMultipartUpload",
                                Map.of("DaysAfterInitiation", 1), "Status", "Enabled"))))));
    }

    @Test
    void everyFunctionThatWritesJobsIsToldTheRetentionOfFinishedJobs() {
        assertThat(JobWorkflow.executionDays(StackConfig.fromContext(new App().getNode())))
                .isEqualTo(2);
        // Every function with the jobs table is told how long a finished job is kept (PERFBOX_RETAIN_DAYS).
        var functions = TemplateQueries.resources("AWS::Lambda::Function").stream()
                .filter(f -> f.at("/Properties/Environment/Variables").has("PERFBOX_JOBS_TABLE")).toList();
        assertThat(functions).hasSizeGreaterThan(10);
        assertThat(functions).allSatisfy(f -> assertThat(f.at("/Properties/Environment/Variables/PERFBOX_RETAIN_DAYS")
                .asText()).isEqualTo("30"));
    }

    @Test
    void theRetentionKeySetsTheJobsExpiryAndTheirObjectsAlike() {
        var template = Template.fromStack(PerfboxStack.createStack(
                SynthesizedStack.newApp(Path.of("target/cdk-retention.out"),
                        Map.of("perfbox:artifactRetentionDays", 7)), SynthesizedStack.STACK_NAME));
        template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of("LifecycleConfiguration",
                Map.of("Rules", Match.arrayWith(List.of(Match.objectLike(Map.of("Prefix", "jobs/",
                        "ExpirationInDays", 7 + 2))))))));
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of("Environment",
                Map.of("Variables", Match.objectLike(Map.of("PERFBOX_RETAIN_DAYS", "7"))))));
    }

    @Test
    void bucketPolicyRefusesRequestsWithoutTls() {
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
    }
}
