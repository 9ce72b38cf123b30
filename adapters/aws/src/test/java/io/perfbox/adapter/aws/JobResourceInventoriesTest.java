package io.perfbox.adapter.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.ecr.EcrJobImages;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ListImagesRequest;
import software.amazon.awssdk.services.ecr.model.ListImagesResponse;
import software.amazon.awssdk.services.ecr.model.TagStatus;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * The per-job resources listed by the jobs holding them, as the reconciler's sweep reads them: ECS task definition
 * revisions by family, ECR image tags by name, every page, with the SDK's model objects. What is not a job's (another
 * family, an untagged image) is left out.
 */
class JobResourceInventoriesTest {
    private final JobId a = JobId.random();
    private final JobId b = JobId.random();

    @Test
    void jobsWithATaskDefinitionRevisionActiveOrNotYetDeletedAreListed() {
        List<ListTaskDefinitionsRequest> requests = new ArrayList<>();
        String arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/";
        EcsClient ecs = new EcsClient() {
            @Override
            public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
                requests.add(request);
                if (request.status() == TaskDefinitionStatus.ACTIVE) {
                    return request.nextToken() == null
                            ? ListTaskDefinitionsResponse.builder().taskDefinitionArns(arn + "perfbox-job-" + a + ":1")
                                    .nextToken("p2").build()
                            : ListTaskDefinitionsResponse.builder().taskDefinitionArns(arn + "perfbox-job-not-a-job:3").build();
                }
                return ListTaskDefinitionsResponse.builder().taskDefinitionArns(arn + "perfbox-job-" + b + ":2",
                        arn + "perfbox-job-" + a + ":1").build();
            }

            @Override
            public String serviceName() {
                return "ecs";
            }

            @Override
            public void close() {
            }
        };
        EcsTaskDefinitions taskDefinitions = new EcsTaskDefinitions(ecs, new EcsTaskDefinitions.Settings("eu-west-1",
                "/perfbox/runs", 1024, 2048, 21,
                "arn:aws:iam::123456789012:role/perfbox-task-execution",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets:clock", 900));

        assertThat(taskDefinitions.holders()).containsExactly(a, b);
        assertThat(requests).extracting(ListTaskDefinitionsRequest::familyPrefix).containsOnly("perfbox-job-");
        // Revisions being deleted (DELETE_IN_PROGRESS) are none of these: a deleted family is no leak.
        assertThat(requests).extracting(ListTaskDefinitionsRequest::status).containsExactly(
                TaskDefinitionStatus.ACTIVE, TaskDefinitionStatus.ACTIVE, TaskDefinitionStatus.INACTIVE);
    }

    @Test
    void imagesOfJobsAreListedByTheirTag() {
        List<ListImagesRequest> requests = new ArrayList<>();
        EcrClient ecr = new EcrClient() {
            @Override
            public ListImagesResponse listImages(ListImagesRequest request) {
                requests.add(request);
                if (request.nextToken() == null) {
                    return ListImagesResponse.builder().nextToken("p2").imageIds(
                            ImageIdentifier.builder().imageDigest("sha256:aa").imageTag("job-" + a).build(),
                            ImageIdentifier.builder().imageDigest("sha256:cc").imageTag("latest").build()).build();
                }
                return ListImagesResponse.builder().imageIds(
                        ImageIdentifier.builder().imageDigest("sha256:bb").imageTag("job-" + b).build()).build();
            }

            @Override
            public String serviceName() {
                return "ecr";
            }

            @Override
            public void close() {
            }
        };
        EcrJobImages images = new EcrJobImages(ecr, "perfbox-jobs");

        assertThat(images.holders()).containsExactly(a, b);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.repositoryName()).isEqualTo("perfbox-jobs");
            assertThat(r.filter().tagStatus()).isEqualTo(TagStatus.TAGGED);
        });
    }
}
