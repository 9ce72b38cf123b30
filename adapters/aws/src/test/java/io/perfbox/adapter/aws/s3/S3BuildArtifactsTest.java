package io.perfbox.adapter.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Bounded;
import io.perfbox.core.domain.JobId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Request building and bounded reading with the SDK's model objects. S3BuildArtifacts can run against LocalStack
 * once the project's LocalStack image is there; until then this is what is checked.
 */
class S3BuildArtifactsTest {
    private final JobId id = JobId.random();
    private final List<GetObjectRequest> requests = new ArrayList<>();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private byte[] object;

    private final S3Client s3 = new S3Client() {
        @Override
        public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
            requests.add(request);
            if (object == null) {
                throw NoSuchKeyException.builder().message("The specified key does not exist.").build();
            }
            return new ResponseInputStream<>(GetObjectResponse.builder().contentLength((long) object.length).build(),
                    AbortableInputStream.create(new ByteArrayInputStream(object), () -> aborted.set(true)));
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    };
    private final S3BuildArtifacts artifacts = new S3BuildArtifacts(s3, "perfbox-artifacts");

    @Test
    void eachArtifactIsReadFromTheJobsPrefix() {
        object = "{}".getBytes(StandardCharsets.UTF_8);
        for (Artifact a : Artifact.values()) {
            artifacts.read(id, a, 1024);
        }
        assertThat(requests).allSatisfy(r -> assertThat(r.bucket()).isEqualTo("perfbox-artifacts"));
        assertThat(requests).extracting(GetObjectRequest::key).containsExactly(
                "jobs/" + id + "/build-outcome.json", "jobs/" + id + "/build.log", "jobs/" + id + "/trivy-report.json",
                "jobs/" + id + "/trivy-misconfig.json", "jobs/" + id + "/Dockerfile");
        // The Dockerfile is the one the submit stored and the build read.
        assertThat(requests.get(requests.size() - 1).key()).isEqualTo(ArtifactKeys.dockerfile(id));
    }

    @Test
    void objectWithinTheBoundIsReadWhole() {
        object = "{\"outcome\":\"BUILT\"}".getBytes(StandardCharsets.UTF_8);
        Optional<Bounded> read = artifacts.read(id, Artifact.OUTCOME, 1024);
        assertThat(read).hasValueSatisfying(b -> {
            assertThat(b.bytes()).isEqualTo(object);
            assertThat(b.truncated()).isFalse();
        });
        assertThat(aborted).isFalse();
    }

    @Test
    void largerObjectIsCutAtTheBoundAndItsDownloadAbandoned() {
        object = new byte[5000];
        Optional<Bounded> read = artifacts.read(id, Artifact.LOG, 1000);
        assertThat(read).hasValueSatisfying(b -> {
            assertThat(b.bytes()).hasSize(1000);
            assertThat(b.truncated()).isTrue();
        });
        assertThat(aborted).isTrue();
    }

    @Test
    void missingObjectIsEmpty() {
        assertThat(artifacts.read(id, Artifact.SCAN_REPORT, 1024)).isEmpty();
    }
}
