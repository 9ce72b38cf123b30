package io.perfbox.infra;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.constructs.Construct;

/** Dockerfiles, scan reports and logs: encrypted, never public, TLS only, old artifacts expire. */
public class ArtifactBucket extends Construct {
    private final Bucket bucket;

    public ArtifactBucket(Construct scope, String id, int expireAfterDays) {
        super(scope, id);
        bucket = Bucket.Builder.create(this, "Bucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("expire-old-artifacts")
                        .expiration(Duration.days(expireAfterDays))
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
