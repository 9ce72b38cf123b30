package io.perfbox.adapter.aws.s3;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.DockerfileStore;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Keeps each job's Dockerfile at {@code jobs/<id>/Dockerfile} in the artifact bucket, where CodeBuild reads it.
 * Encrypted at rest (SSE-S3, as the bucket's default) even if the bucket's default were ever changed.
 */
public class S3DockerfileStore implements DockerfileStore {
    private final S3Client s3;
    private final String bucket;

    public S3DockerfileStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public void save(JobId id, Dockerfile dockerfile) {
        s3.putObject(b -> b.bucket(bucket).key(ArtifactKeys.dockerfile(id))
                        .contentType("text/plain; charset=utf-8")
                        .serverSideEncryption(ServerSideEncryption.AES256),
                RequestBody.fromString(dockerfile.text()));
    }

    @Override
    public Optional<Dockerfile> load(JobId id) {
        try {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(ArtifactKeys.dockerfile(id))).asByteArray();
            // Decoded as strictly as when it was submitted: what comes back is a Dockerfile perfbox accepted.
            return Optional.of(Dockerfile.fromUtf8(bytes));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(JobId id) {
        // S3 answers a delete of a missing key with success: deleting twice is harmless.
        s3.deleteObject(b -> b.bucket(bucket).key(ArtifactKeys.dockerfile(id)));
    }
}
