package io.perfbox.adapter.aws.efs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.JobId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.efs.EfsClient;
import software.amazon.awssdk.services.efs.model.AccessPointAlreadyExistsException;
import software.amazon.awssdk.services.efs.model.AccessPointDescription;
import software.amazon.awssdk.services.efs.model.AccessPointNotFoundException;
import software.amazon.awssdk.services.efs.model.CreateAccessPointRequest;
import software.amazon.awssdk.services.efs.model.CreateAccessPointResponse;
import software.amazon.awssdk.services.efs.model.DeleteAccessPointRequest;
import software.amazon.awssdk.services.efs.model.DeleteAccessPointResponse;
import software.amazon.awssdk.services.efs.model.DescribeAccessPointsRequest;
import software.amazon.awssdk.services.efs.model.DescribeAccessPointsResponse;
import software.amazon.awssdk.services.efs.model.LifeCycleState;
import software.amazon.awssdk.services.efs.model.RootDirectory;

/** Request building and response reading with the SDK's model objects (no EFS engine is available here). */
class EfsAccessPointsTest {
    private static final String FS = "fs-0123456789abcdef0";

    private final JobId id = JobId.random();
    private final List<Object> requests = new ArrayList<>();
    private final List<Duration> pauses = new ArrayList<>();
    private CreateAccessPointResponse created = CreateAccessPointResponse.builder()
            .accessPointId("fsap-0aaa").lifeCycleState(LifeCycleState.AVAILABLE).build();
    private RuntimeException createFails;
    /** Answers to describe-by-id (state checks), in order. */
    private final Deque<LifeCycleState> states = new ArrayDeque<>();
    /** Pages of the file system's access points. */
    private List<DescribeAccessPointsResponse> pages = List.of(DescribeAccessPointsResponse.builder().build());
    private RuntimeException deleteFails;

    private final EfsClient efs = new EfsClient() {
        @Override
        public CreateAccessPointResponse createAccessPoint(CreateAccessPointRequest request) {
            requests.add(request);
            if (createFails != null) {
                throw createFails;
            }
            return created;
        }

        @Override
        public DescribeAccessPointsResponse describeAccessPoints(DescribeAccessPointsRequest request) {
            requests.add(request);
            if (request.accessPointId() != null) {
                return DescribeAccessPointsResponse.builder().accessPoints(AccessPointDescription.builder()
                        .accessPointId(request.accessPointId()).lifeCycleState(states.poll()).build()).build();
            }
            return pages.get(request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken()));
        }

        @Override
        public DeleteAccessPointResponse deleteAccessPoint(DeleteAccessPointRequest request) {
            requests.add(request);
            if (deleteFails != null) {
                throw deleteFails;
            }
            return DeleteAccessPointResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "elasticfilesystem";
        }

        @Override
        public void close() {
        }
    };
    private final EfsAccessPoints accessPoints = new EfsAccessPoints(efs, FS, pauses::add);

    private <T> List<T> requestsOf(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static AccessPointDescription ap(String apId, String root) {
        return AccessPointDescription.builder().accessPointId(apId).fileSystemId(FS)
                .rootDirectory(RootDirectory.builder().path(root).build()).lifeCycleState(LifeCycleState.AVAILABLE).build();
    }

    @Test
    void accessPointIsRootedAtTheJobsDirectoryCreatedWritableByAnyUser() {
        assertThat(accessPoints.create(id)).isEqualTo("fsap-0aaa");

        CreateAccessPointRequest r = requestsOf(CreateAccessPointRequest.class).get(0);
        assertThat(r.fileSystemId()).isEqualTo(FS);
        assertThat(r.clientToken()).isEqualTo(id.value());
        assertThat(r.rootDirectory().path()).isEqualTo("/jobs/" + id);
        assertThat(r.rootDirectory().creationInfo().ownerUid()).isEqualTo(1000L);
        assertThat(r.rootDirectory().creationInfo().ownerGid()).isEqualTo(1000L);
        assertThat(r.rootDirectory().creationInfo().permissions()).isEqualTo("0777");
        assertThat(r.posixUser()).isNull();
        assertThat(r.tags()).anySatisfy(t -> assertThat(t.value()).isEqualTo(id.value()));
        assertThat(pauses).isEmpty();
    }

    @Test
    void accessPointStillBeingCreatedIsAwaited() {
        created = CreateAccessPointResponse.builder().accessPointId("fsap-0aaa").lifeCycleState(LifeCycleState.CREATING).build();
        states.addAll(List.of(LifeCycleState.CREATING, LifeCycleState.AVAILABLE));

        assertThat(accessPoints.create(id)).isEqualTo("fsap-0aaa");

        assertThat(pauses).hasSize(2);
        assertThat(requestsOf(DescribeAccessPointsRequest.class)).allSatisfy(d -> assertThat(d.accessPointId()).isEqualTo("fsap-0aaa"));
    }

    @Test
    void accessPointThatNeverBecomesAvailableIsAnError() {
        created = CreateAccessPointResponse.builder().accessPointId("fsap-0aaa").lifeCycleState(LifeCycleState.CREATING).build();
        for (int i = 0; i < 40; i++) {
            states.add(LifeCycleState.CREATING);
        }
        assertThatThrownBy(() -> accessPoints.create(id)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still creating");
    }

    @Test
    void accessPointAnEarlierTryCreatedIsFoundByItsRoot() {
        createFails = AccessPointAlreadyExistsException.builder().message("exists").build();
        pages = List.of(DescribeAccessPointsResponse.builder().accessPoints(ap("fsap-0other", "/jobs/" + JobId.random()))
                        .nextToken("1").build(),
                DescribeAccessPointsResponse.builder().accessPoints(ap("fsap-0mine", "/jobs/" + id)).build());

        assertThat(accessPoints.create(id)).isEqualTo("fsap-0mine");
    }

    @Test
    void deleteRemovesOnlyTheJobsAccessPointsOnEveryPage() {
        pages = List.of(DescribeAccessPointsResponse.builder()
                        .accessPoints(ap("fsap-0other", "/jobs/" + JobId.random()), ap("fsap-0mine", "/jobs/" + id))
                        .nextToken("1").build(),
                DescribeAccessPointsResponse.builder().accessPoints(ap("fsap-0lambda", "/jobs")).build());

        accessPoints.delete(id);

        assertThat(requestsOf(DescribeAccessPointsRequest.class)).allSatisfy(d -> assertThat(d.fileSystemId()).isEqualTo(FS));
        assertThat(requestsOf(DeleteAccessPointRequest.class)).extracting(DeleteAccessPointRequest::accessPointId)
                .containsExactly("fsap-0mine");
    }

    @Test
    void accessPointDeletedMeanwhileIsFine() {
        pages = List.of(DescribeAccessPointsResponse.builder().accessPoints(ap("fsap-0mine", "/jobs/" + id)).build());
        deleteFails = AccessPointNotFoundException.builder().message("gone").build();

        accessPoints.delete(id);

        assertThat(requestsOf(DeleteAccessPointRequest.class)).hasSize(1);
    }
}
