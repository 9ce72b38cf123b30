package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.constructs.Construct;

/** Dockerfiles, scan reports and logs, and the scanner mirror: encrypted, never public, TLS only, old artifacts expire. */
public final class ArtifactBucket extends Construct {
    /** Days a mirrored DB archive is kept after it was written (only the newest is used). */
    static final int SCANNER_DB_ARCHIVE_DAYS = 7;
    private final Bucket bucket;

    public ArtifactBucket(Construct scope, String id, int expireAfterDays) {
        super(scope, id);
        bucket = Bucket.Builder.create(this, "Bucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                // Jobs' objects expire; the scanner's binary (scanner/trivy-*) never does, since every build needs
                // it, and superseded DB archives go after a week (the mirror writes a new one daily).
                .lifecycleRules(List.of(
                        LifecycleRule.builder()
                                .id("expire-old-artifacts")
                                .prefix("jobs/")
                                .expiration(Duration.days(expireAfterDays))
                                .build(),
                        LifecycleRule.builder()
                                .id("expire-old-scanner-dbs")
                                .prefix("scanner/db-archives/")
                                .expiration(Duration.days(SCANNER_DB_ARCHIVE_DAYS))
                                .build(),
                        LifecycleRule.builder()
                                .id("abort-incomplete-uploads")
                                .abortIncompleteMultipartUploadAfter(Duration.days(1))
                                .build()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .autoDeleteObjects(true)
                .build();
    }

    public Bucket bucket() {
        return bucket;
    }
}
