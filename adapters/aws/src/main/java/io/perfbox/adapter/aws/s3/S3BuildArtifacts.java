package io.perfbox.adapter.aws.s3;

import io.perfbox.core.domain.JobId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@link BuildArtifacts} in the artifact bucket ({@code jobs/<id>/build-outcome.json}, {@code build.log},
 * {@code trivy-report.json}). Reads at most the bound plus one byte and abandons the rest of a larger object.
 */
public class S3BuildArtifacts implements BuildArtifacts {
    private final S3Client s3;
    private final String bucket;

    public S3BuildArtifacts(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    GetObjectRequest request(JobId id, Artifact artifact) {
        return GetObjectRequest.builder().bucket(bucket).key(ArtifactKeys.of(id, artifact.fileName())).build();
    }

    @Override
    public Optional<Bounded> read(JobId id, Artifact artifact, int maxBytes) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(request(id, artifact))) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                in.abort(); // don't download the rest only to close the connection cleanly
                return Optional.of(new Bounded(Arrays.copyOf(bytes, maxBytes), true));
            }
            return Optional.of(new Bounded(bytes, false));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + artifact.fileName() + " of job " + id, e);
        }
    }
}
