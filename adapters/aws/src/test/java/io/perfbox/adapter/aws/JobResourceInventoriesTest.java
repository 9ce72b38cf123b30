package io.perfbox.adapter.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.ecr.EcrJobImages;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.efs.EfsAccessPoints;
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
import software.amazon.awssdk.services.efs.EfsClient;
import software.amazon.awssdk.services.efs.model.AccessPointDescription;
import software.amazon.awssdk.services.efs.model.DescribeAccessPointsRequest;
import software.amazon.awssdk.services.efs.model.DescribeAccessPointsResponse;
import software.amazon.awssdk.services.efs.model.LifeCycleState;
import software.amazon.awssdk.services.efs.model.RootDirectory;
import software.amazon.awssdk.services.efs.model.Tag;

/**
 * The per-job resources listed by the jobs holding them, as the reconciler's sweep reads them: EFS access points by
 * their job tag, ECS task definition revisions by family, ECR image tags by name, every page, with the SDK's model
 * objects. What is not a job's (the workspace functions' access point, another family, an untagged image) is left
 * out.
 */
class JobResourceInventoriesTest {
    private final JobId a = JobId.random();
    private final JobId b = JobId.random();

    @Test
    void accessPointsAreListedByTheirJobTagOnEveryPage() {
        List<DescribeAccessPointsRequest> requests = new ArrayList<>();
        EfsClient efs = new EfsClient() {
            @Override
            public DescribeAccessPointsResponse describeAccessPoints(DescribeAccessPointsRequest request) {
                requests.add(request);
                if (request.nextToken() == null) {
                    return DescribeAccessPointsResponse.builder().nextToken("p2").accessPoints(
                            accessPoint("fsap-0000000000000000a", "/jobs/" + a, Tag.builder().key("perfbox:job").value(a.value()).build()),
                            // The workspace functions' view of every job: no job tag.
                            accessPoint("fsap-0000000000000000f", "/jobs", Tag.builder().key("Name").value("workspaces").build()))
                            .build();
                }
                return DescribeAccessPointsResponse.builder().accessPoints(
                        accessPoint("fsap-0000000000000000b", "/jobs/" + b, Tag.builder().key("perfbox:job").value(b.value()).build()))
                        .build();
            }

            @Override
            public String serviceName() {
                return "elasticfilesystem";
            }

            @Override
            public void close() {
            }
        };
        EfsAccessPoints accessPoints = new EfsAccessPoints(efs, "fs-0123456789abcdef0");

        assertThat(accessPoints.holders()).containsExactly(a, b);
        assertThat(requests).extracting(DescribeAccessPointsRequest::fileSystemId).containsOnly("fs-0123456789abcdef0");
    }

    private static AccessPointDescription accessPoint(String id, String root, Tag tag) {
        return AccessPointDescription.builder().accessPointId(id).fileSystemId("fs-0123456789abcdef0")
                .rootDirectory(RootDirectory.builder().path(root).build()).lifeCycleState(LifeCycleState.AVAILABLE)
                .tags(tag).build();
    }

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
                "/perfbox/runs", "fs-0123456789abcdef0", 1024, 2048, 21,
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
