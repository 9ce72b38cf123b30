package io.perfbox.adapter.aws.ecr;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.ecr.JobImages;
import io.perfbox.core.domain.JobId;
import java.util.List;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageFailureCode;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;

/** {@link JobImages} on ECR: the job's image is the tag {@code job-<id>} in perfbox's one repository. */
public class EcrJobImages implements JobImages {
    private final EcrClient ecr;
    private final String repository;

    public EcrJobImages(EcrClient ecr, String repository) {
        this.ecr = ecr;
        this.repository = repository;
    }

    @Override
    public void delete(JobId id) {
        BatchDeleteImageResponse response = ecr.batchDeleteImage(b -> b.repositoryName(repository)
                .imageIds(ImageIdentifier.builder().imageTag(AwsJobNames.imageTag(id)).build()));
        List<ImageFailure> failures = response.failures().stream()
                .filter(f -> f.failureCode() != ImageFailureCode.IMAGE_NOT_FOUND)
                .toList();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("ECR did not delete the image of job " + id + ": "
                    + failures.stream().map(f -> f.failureCodeAsString() + " " + f.failureReason()).toList());
        }
    }
}
