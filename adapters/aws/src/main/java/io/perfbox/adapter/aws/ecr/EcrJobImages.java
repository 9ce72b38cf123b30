package io.perfbox.adapter.aws.ecr;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.core.domain.JobId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageFailureCode;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ListImagesResponse;
import software.amazon.awssdk.services.ecr.model.TagStatus;

/** {@link JobImages} on ECR: the job's image is the tag {@code job-<id>} in perfbox's one repository. */
public class EcrJobImages implements JobImages, JobResourceInventory {
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

    @Override
    public String kind() {
        return "images";
    }

    /** The jobs whose image tag {@code job-<id>} is in the repository. */
    @Override
    public Set<JobId> holders() {
        Set<JobId> jobs = new LinkedHashSet<>();
        String prefix = AwsJobNames.IMAGE_TAG_PREFIX;
        String token = null;
        do {
            String page = token;
            ListImagesResponse listed = ecr.listImages(b -> b.repositoryName(repository)
                    .filter(f -> f.tagStatus(TagStatus.TAGGED)).nextToken(page));
            listed.imageIds().stream().map(i -> JobResourceInventory.jobIdAfter(prefix, i.imageTag()))
                    .filter(Objects::nonNull).forEach(jobs::add);
            token = listed.nextToken();
        } while (token != null);
        return jobs;
    }
}
