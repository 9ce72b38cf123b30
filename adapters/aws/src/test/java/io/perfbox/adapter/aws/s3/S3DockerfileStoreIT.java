package io.perfbox.adapter.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.testing.aws.LocalStack;
import io.perfbox.testing.contract.DockerfileStoreContract;
import io.perfbox.testing.docker.RequiresDocker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The S3 Dockerfile store on LocalStack's S3: the common contract, and where and how the object is written. */
@RequiresDocker
class S3DockerfileStoreIT extends DockerfileStoreContract {
    private static S3Client s3;
    private static String bucket;
    private static S3DockerfileStore store;

    @BeforeAll
    static void bucket() {
        s3 = LocalStack.s3();
        bucket = LocalStack.newBucket(s3);
        store = new S3DockerfileStore(s3, bucket);
    }

    @Override
    protected DockerfileStore store() {
        return store;
    }

    @Test
    void dockerfileIsWrittenWhereCodeBuildReadsItEncryptedAsText() {
        JobId id = JobId.random();
        Dockerfile dockerfile = new Dockerfile("FROM debian:bookworm\nRUN echo ✓\n");
        store.save(id, dockerfile);

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("jobs/" + id.value() + "/Dockerfile"));
        assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(head.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("jobs/" + id.value() + "/Dockerfile")).asUtf8String())
                .isEqualTo(dockerfile.text());
    }

    @Test
    void deletingTheDockerfileLeavesTheJobsOtherObjects() {
        JobId id = JobId.random();
        store.save(id, new Dockerfile("FROM debian:bookworm\n"));
        s3.putObject(b -> b.bucket(bucket).key(AwsJobNames.artifactKey(id, Artifact.LOG.fileName())),
                RequestBody.fromString("build output"));
        store.delete(id);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix(ArtifactKeys.jobPrefix(id))).contents())
                .extracting(o -> o.key()).containsExactly(AwsJobNames.artifactKey(id, Artifact.LOG.fileName()));
    }
}
