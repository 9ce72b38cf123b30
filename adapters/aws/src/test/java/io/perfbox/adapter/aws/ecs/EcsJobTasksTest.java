package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.StopTaskRequest;
import software.amazon.awssdk.services.ecs.model.StopTaskResponse;

/** Request building and response reading with the SDK's model objects (no ECS engine is available here). */
class EcsJobTasksTest {
    private static final String CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/perfbox";
    private static final String TASKS = "arn:aws:ecs:eu-west-1:123456789012:task/perfbox/";

    private final JobId id = JobId.random();
    private final List<ListTasksRequest> lists = new ArrayList<>();
    private final List<StopTaskRequest> stops = new ArrayList<>();
    private List<String> running = List.of();
    private List<String> stopped = List.of();

    private final EcsClient ecs = new EcsClient() {
        @Override
        public ListTasksResponse listTasks(ListTasksRequest request) {
            lists.add(request);
            return ListTasksResponse.builder()
                    .taskArns(request.desiredStatus() == DesiredStatus.STOPPED ? stopped : running).build();
        }

        @Override
        public StopTaskResponse stopTask(StopTaskRequest request) {
            stops.add(request);
            return StopTaskResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "ecs";
        }

        @Override
        public void close() {
        }
    };
    private final EcsJobTasks tasks = new EcsJobTasks(ecs, CLUSTER);

    @Test
    void runningTasksOfTheJobsFamilyAreStoppedAndListedBeforeThoseStoppedEarlier() {
        running = List.of(TASKS + "aaa");
        stopped = List.of(TASKS + "bbb", TASKS + "aaa");

        assertThat(tasks.stopAll(id, "perfbox: the run exceeded its time limit"))
                .containsExactly(TASKS + "aaa", TASKS + "bbb");

        assertThat(stops).singleElement().satisfies(s -> {
            assertThat(s.cluster()).isEqualTo(CLUSTER);
            assertThat(s.task()).isEqualTo(TASKS + "aaa");
            assertThat(s.reason()).isEqualTo("perfbox: the run exceeded its time limit");
        });
        assertThat(lists).allSatisfy(l -> {
            assertThat(l.cluster()).isEqualTo(CLUSTER);
            assertThat(l.family()).isEqualTo("perfbox-job-" + id);
            assertThat(l.startedBy()).isNull();
        });
        assertThat(lists).extracting(ListTasksRequest::desiredStatus).containsExactly(DesiredStatus.RUNNING, DesiredStatus.STOPPED);
    }

    @Test
    void jobWithoutTasksStopsNothing() {
        assertThat(tasks.stopAll(id, "clean-up")).isEmpty();
        assertThat(stops).isEmpty();
    }

    @Test
    void stopReasonIsCutToWhatEcsKeeps() {
        running = List.of(TASKS + "aaa");
        tasks.stopAll(id, "x".repeat(400));
        assertThat(stops.get(0).reason()).hasSize(255);
    }
}
