package io.perfbox.adapter.aws.ecr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageRequest;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageFailureCode;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;

/** Request building and response reading with the SDK's model objects (no ECR engine is available here). */
class EcrJobImagesTest {
    private final JobId id = JobId.random();
    private final List<BatchDeleteImageRequest> requests = new ArrayList<>();
    private BatchDeleteImageResponse response = BatchDeleteImageResponse.builder().build();

    private final EcrClient ecr = new EcrClient() {
        @Override
        public BatchDeleteImageResponse batchDeleteImage(BatchDeleteImageRequest request) {
            requests.add(request);
            return response;
        }

        @Override
        public String serviceName() {
            return "ecr";
        }

        @Override
        public void close() {
        }
    };
    private final EcrJobImages images = new EcrJobImages(ecr, "perfbox-jobs");

    private ImageFailure failure(ImageFailureCode code) {
        return ImageFailure.builder().failureCode(code).failureReason(code.toString())
                .imageId(ImageIdentifier.builder().imageTag("job-" + id).build()).build();
    }

    @Test
    void deletesTheJobsTagInTheRepository() {
        images.delete(id);
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.repositoryName()).isEqualTo("perfbox-jobs");
            assertThat(r.imageIds()).containsExactly(ImageIdentifier.builder().imageTag("job-" + id).build());
        });
    }

    @Test
    void imageThatIsNotThereIsFine() {
        response = BatchDeleteImageResponse.builder().failures(failure(ImageFailureCode.IMAGE_NOT_FOUND)).build();
        images.delete(id);
        assertThat(requests).hasSize(1);
    }

    @Test
    void otherFailureIsAnError() {
        response = BatchDeleteImageResponse.builder().failures(failure(ImageFailureCode.KMS_ERROR)).build();
        assertThatThrownBy(() -> images.delete(id)).isInstanceOf(IllegalStateException.class).hasMessageContaining("KmsError");
    }
}
