package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.domain.JobId;
import io.perfbox.testing.aws.StepInputs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.DeleteTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.DeregisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DeregisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * Request building and response reading against the SDK's own model objects. No engine here can run ECS, so these
 * show what the adapter asks for, not that ECS accepts it.
 */
class EcsTaskDefinitionsTest {
    private static final String PREFIX = "arn:aws:ecs:eu-west-1:123456789012:task-definition/";
    private static final String HELPERS_IMAGE = StepInputs.TASK_HELPERS_IMAGE;

    private final JobId id = JobId.random();
    private final String family = "perfbox-job-" + id;

    /** An ECS client that answers from lists the test fills and records what it was asked. */
    private static class RecordingEcs implements EcsClient {
        final List<Object> requests = new ArrayList<>();
        final Map<TaskDefinitionStatus, List<ListTaskDefinitionsResponse>> pages = new HashMap<>();
        DeleteTaskDefinitionsResponse deleteResponse = DeleteTaskDefinitionsResponse.builder().build();

        @Override
        public RegisterTaskDefinitionResponse registerTaskDefinition(RegisterTaskDefinitionRequest request) {
            requests.add(request);
            return RegisterTaskDefinitionResponse.builder().taskDefinition(TaskDefinition.builder()
                    .taskDefinitionArn(PREFIX + request.family() + ":7").family(request.family()).revision(7).build()).build();
        }

        @Override
        public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
            requests.add(request);
            List<ListTaskDefinitionsResponse> p = pages.getOrDefault(request.status(), List.of());
            if (p.isEmpty()) {
                return ListTaskDefinitionsResponse.builder().taskDefinitionArns(List.of()).build();
            }
            int index = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
            return p.get(index);
        }

        @Override
        public DeregisterTaskDefinitionResponse deregisterTaskDefinition(DeregisterTaskDefinitionRequest request) {
            requests.add(request);
            return DeregisterTaskDefinitionResponse.builder().build();
        }

        @Override
        public DeleteTaskDefinitionsResponse deleteTaskDefinitions(DeleteTaskDefinitionsRequest request) {
            requests.add(request);
            return deleteResponse;
        }

        @Override
        public String serviceName() {
            return "ecs";
        }

        @Override
        public void close() {
        }

        <T> List<T> requestsOf(Class<T> type) {
            return requests.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private final RecordingEcs ecs = new RecordingEcs();
    private final EcsTaskDefinitions definitions = new EcsTaskDefinitions(ecs, new EcsTaskDefinitions.Settings(
            "eu-west-1", "/perfbox/runs", 1024, 2048, 20,
            "arn:aws:iam::123456789012:role/perfbox-task-execution", HELPERS_IMAGE, 900));
    private final String image = "registry.invalid/perfbox-jobs:job-" + id;

    private ContainerDefinition container(RegisterTaskDefinitionRequest r, String name) {
        return r.containerDefinitions().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void registeredDefinitionIsTheJobsFargateTaskWithNoTaskRoleAndAVolumeOfItsOwnAtData() {
        String arn = definitions.register(id, image);

        assertThat(arn).isEqualTo(PREFIX + family + ":7");
        RegisterTaskDefinitionRequest r = ecs.requestsOf(RegisterTaskDefinitionRequest.class).get(0);
        assertThat(r.family()).isEqualTo(family);
        assertThat(r.requiresCompatibilities()).containsExactly(Compatibility.FARGATE);
        assertThat(r.networkMode()).isEqualTo(NetworkMode.AWSVPC);
        assertThat(r.cpu()).isEqualTo("1024");
        assertThat(r.memory()).isEqualTo("2048");
        assertThat(r.ephemeralStorage()).as("Fargate's default 20 GiB holds a 10 GiB image").isNull();
        assertThat(r.executionRoleArn()).isEqualTo("arn:aws:iam::123456789012:role/perfbox-task-execution");
        assertThat(r.taskRoleArn()).as("no task role: no container of the task can fetch a credential").isNull();
        assertThat(r.containerDefinitions()).extracting(ContainerDefinition::name).containsExactly(AwsJobNames.CONTAINER,
                AwsJobNames.DATA_INIT_CONTAINER, AwsJobNames.RUN_CLOCK_CONTAINER, AwsJobNames.COLLECTOR_CONTAINER);
        assertThat(r.volumes()).singleElement().satisfies(v -> {
            // Neither host nor EFS nor Docker volume configuration: a bind mount on the task's own storage.
            assertThat(v.host()).isNull();
            assertThat(v.efsVolumeConfiguration()).isNull();
            assertThat(v.dockerVolumeConfiguration()).isNull();
            assertThat(v.fsxWindowsFileServerVolumeConfiguration()).isNull();
        });
        ContainerDefinition c = container(r, AwsJobNames.CONTAINER);
        assertThat(c.image()).isEqualTo(image);
        assertThat(c.essential()).as("its end must not stop the task before the collector read /data").isFalse();
        assertThat(c.dependsOn()).singleElement().satisfies(d -> {
            assertThat(d.containerName()).isEqualTo(AwsJobNames.DATA_INIT_CONTAINER);
            assertThat(d.condition()).isEqualTo(ContainerCondition.SUCCESS);
        });
        assertThat(c.linuxParameters().capabilities().drop()).containsExactly("ALL");
        assertThat(c.user()).as("the image's own user, as locally").isNull();
        assertThat(c.mountPoints()).singleElement().satisfies(m -> {
            assertThat(m.containerPath()).isEqualTo("/data");
            assertThat(m.sourceVolume()).isEqualTo(r.volumes().get(0).name());
            assertThat(m.readOnly()).isFalse();
        });
        assertThat(c.logConfiguration().logDriver()).isEqualTo(LogDriver.AWSLOGS);
        assertThat(c.logConfiguration().options()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "awslogs-group", "/perfbox/runs", "awslogs-region", "eu-west-1", "awslogs-stream-prefix", "job"));
        assertThat(r.tags()).anySatisfy(t -> {
            assertThat(t.key()).isEqualTo("perfbox:job");
            assertThat(t.value()).isEqualTo(id.value());
        });
    }

    @Test
    void everyHelperRunsTheHelpersImageWithAReadOnlyRootAndNoEnvironment() {
        RegisterTaskDefinitionRequest r = definitions.request(id, image);
        for (String helper : List.of(AwsJobNames.DATA_INIT_CONTAINER, AwsJobNames.RUN_CLOCK_CONTAINER,
                AwsJobNames.COLLECTOR_CONTAINER)) {
            ContainerDefinition h = container(r, helper);
            assertThat(h.image()).as(helper).isEqualTo(HELPERS_IMAGE);
            assertThat(h.readonlyRootFilesystem()).as(helper).isTrue();
            assertThat(h.environment()).as(helper).isEmpty();
            assertThat(h.secrets()).as(helper).isEmpty();
            assertThat(h.stopTimeout()).as(helper).isEqualTo(2);
            assertThat(h.cpu()).as("shares the task's CPU and memory").isNull();
            assertThat(h.memory()).isNull();
            // Fargate adds no capability but SYS_PTRACE; a helper keeps what it needs by dropping the rest.
            assertThat(h.linuxParameters().capabilities().add()).as(helper).isEmpty();
        }
    }

    @Test
    void dataInitRunsFirstAsRootKeepingOnlyTheCapabilitiesToEmptyAndOpenData() {
        ContainerDefinition init = container(definitions.request(id, image), AwsJobNames.DATA_INIT_CONTAINER);

        assertThat(init.command()).containsExactly("/data-init.sh");
        assertThat(init.essential()).as("its exit 0 must not stop the task").isFalse();
        assertThat(init.dependsOn()).isEmpty();
        assertThat(init.user()).isEqualTo("0:0");
        assertThat(init.mountPoints()).singleElement().satisfies(m -> {
            assertThat(m.containerPath()).isEqualTo("/data");
            assertThat(m.readOnly()).isFalse();
        });
        assertThat(kept(init)).containsExactlyInAnyOrder("DAC_OVERRIDE", "FOWNER");
        assertThat(init.logConfiguration()).isNull();
    }

    @Test
    void runClockStartsAfterTheJobSleepsTheRunTimeoutAndStopsTheTaskWithNothingOfTheJobs() {
        ContainerDefinition clock = container(definitions.request(id, image), AwsJobNames.RUN_CLOCK_CONTAINER);

        assertThat(clock.essential()).as("its exit stops the task").isTrue();
        assertThat(clock.command()).as("the run timeout in seconds").containsExactly("/run-clock.sh", "900");
        assertThat(clock.dependsOn()).singleElement().satisfies(d -> {
            assertThat(d.containerName()).isEqualTo(AwsJobNames.CONTAINER);
            assertThat(d.condition()).isEqualTo(ContainerCondition.START);
        });
        assertThat(clock.linuxParameters().initProcessEnabled())
                .as("SIGTERM reaches the sleep: a clock stopped early exits 0 at once").isTrue();
        assertThat(clock.linuxParameters().capabilities().drop()).containsExactly("ALL");
        assertThat(clock.user()).isEqualTo("65534:65534");
        assertThat(clock.mountPoints()).as("no /data").isEmpty();
        assertThat(clock.logConfiguration()).as("a sleep writes nothing").isNull();
    }

    @Test
    void collectorStartsOnceTheJobExitedReadsDataReadOnlyAndLogsOnItsOwnStream() {
        ContainerDefinition collector = container(definitions.request(id, image), AwsJobNames.COLLECTOR_CONTAINER);

        assertThat(collector.command()).containsExactly("/collect.sh");
        assertThat(collector.essential()).as("its exit stops the task once it wrote its record").isTrue();
        assertThat(collector.dependsOn()).singleElement().satisfies(d -> {
            assertThat(d.containerName()).isEqualTo(AwsJobNames.CONTAINER);
            assertThat(d.condition()).as("whatever the job exited with").isEqualTo(ContainerCondition.COMPLETE);
        });
        assertThat(collector.mountPoints()).singleElement().satisfies(m -> {
            assertThat(m.containerPath()).isEqualTo("/data");
            assertThat(m.readOnly()).isTrue();
        });
        assertThat(collector.user()).isEqualTo("0:0");
        assertThat(kept(collector)).as("reads a file whatever its owner and mode").containsExactly("DAC_OVERRIDE");
        assertThat(collector.logConfiguration().logDriver()).isEqualTo(LogDriver.AWSLOGS);
        assertThat(collector.logConfiguration().options()).containsEntry("awslogs-stream-prefix", "job")
                .containsEntry("awslogs-group", "/perfbox/runs");
        // awslogs names the stream prefix/container/task: job/collector/<task id>, not the job's job/job/<task id>.
        assertThat(AwsJobNames.collectorLogStream(StepInputs.TASK_ARN)).isEqualTo("job/collector/" + StepInputs.TASK_ID)
                .isNotEqualTo(AwsJobNames.runLogStream(StepInputs.TASK_ARN));
    }

    /** Docker's default capabilities a container keeps: those its definition does not drop. */
    private static List<String> kept(ContainerDefinition c) {
        List<String> kept = new ArrayList<>(EcsTaskDefinitions.DEFAULT_CAPABILITIES);
        kept.removeAll(c.linuxParameters().capabilities().drop());
        assertThat(c.linuxParameters().capabilities().drop()).doesNotContain("ALL");
        return kept;
    }

    @Test
    void settingsWithoutAHelpersImageOrTimeoutAreRefused() {
        assertThatThrownBy(() -> new EcsTaskDefinitions.Settings("eu-west-1", "/perfbox/runs",
                1024, 2048, 20, "arn:aws:iam::123456789012:role/perfbox-task-execution", " ", 900))
                .hasMessageContaining("helpers' image");
        assertThatThrownBy(() -> new EcsTaskDefinitions.Settings("eu-west-1", "/perfbox/runs",
                1024, 2048, 20, "arn:aws:iam::123456789012:role/perfbox-task-execution", HELPERS_IMAGE, 0))
                .hasMessageContaining("run timeout");
    }

    @Test
    void removeAllDeregistersActiveRevisionsThenDeletesInactiveOnesInBatchesOfTen() {
        ecs.pages.put(TaskDefinitionStatus.ACTIVE, List.of(ListTaskDefinitionsResponse.builder()
                .taskDefinitionArns(PREFIX + family + ":11", PREFIX + family + ":12").build()));
        List<String> inactive = IntStream.rangeClosed(1, 12).mapToObj(n -> PREFIX + family + ":" + n).toList();
        ecs.pages.put(TaskDefinitionStatus.INACTIVE, List.of(
                ListTaskDefinitionsResponse.builder().taskDefinitionArns(inactive.subList(0, 6)).nextToken("1").build(),
                ListTaskDefinitionsResponse.builder().taskDefinitionArns(inactive.subList(6, 12)).build()));

        definitions.removeAll(id);

        assertThat(ecs.requestsOf(ListTaskDefinitionsRequest.class)).allSatisfy(l -> assertThat(l.familyPrefix()).isEqualTo(family));
        assertThat(ecs.requestsOf(DeregisterTaskDefinitionRequest.class)).extracting(DeregisterTaskDefinitionRequest::taskDefinition)
                .containsExactly(PREFIX + family + ":11", PREFIX + family + ":12");
        assertThat(ecs.requestsOf(DeleteTaskDefinitionsRequest.class)).extracting(DeleteTaskDefinitionsRequest::taskDefinitions)
                .containsExactly(inactive.subList(0, 10), inactive.subList(10, 12));
        assertThat(ecs.requests.indexOf(ecs.requestsOf(DeregisterTaskDefinitionRequest.class).get(1)))
                .isLessThan(ecs.requests.indexOf(ecs.requestsOf(DeleteTaskDefinitionsRequest.class).get(0)));
    }

    @Test
    void revisionsOfAnotherFamilyThatSharesThePrefixAreLeftAlone() {
        ecs.pages.put(TaskDefinitionStatus.ACTIVE, List.of(ListTaskDefinitionsResponse.builder()
                .taskDefinitionArns(PREFIX + family + ":1", PREFIX + family + "-debug:1").build()));

        definitions.removeAll(id);

        assertThat(ecs.requestsOf(DeregisterTaskDefinitionRequest.class)).extracting(DeregisterTaskDefinitionRequest::taskDefinition)
                .containsExactly(PREFIX + family + ":1");
    }

    @Test
    void jobWithoutTaskDefinitionsNeedsNoCall() {
        definitions.removeAll(id);
        assertThat(ecs.requestsOf(DeregisterTaskDefinitionRequest.class)).isEmpty();
        assertThat(ecs.requestsOf(DeleteTaskDefinitionsRequest.class)).isEmpty();
    }

    @Test
    void deletionEcsReportsAsFailedIsAnError() {
        ecs.pages.put(TaskDefinitionStatus.INACTIVE, List.of(ListTaskDefinitionsResponse.builder()
                .taskDefinitionArns(PREFIX + family + ":1").build()));
        ecs.deleteResponse = DeleteTaskDefinitionsResponse.builder().failures(Failure.builder()
                .arn(PREFIX + family + ":1").reason("TASK_DEFINITION_IN_USE").build()).build();

        assertThatThrownBy(() -> definitions.removeAll(id)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TASK_DEFINITION_IN_USE");
    }

    @Test
    void familyIsReadFromARevisionArn() {
        assertThat(EcsTaskDefinitions.familyOf(PREFIX + family + ":12")).isEqualTo(family);
    }

    @Test
    void aTaskForALargeImageLimitAsksForTheEphemeralStorageItNeeds() {
        EcsTaskDefinitions large = new EcsTaskDefinitions(ecs, new EcsTaskDefinitions.Settings("eu-west-1",
                "/perfbox/runs", 1024, 2048, FargateTaskSize.ephemeralStorageGiB(100 * 1024),
                "arn:aws:iam::123456789012:role/perfbox-task-execution", HELPERS_IMAGE, 900));
        assertThat(large.request(id, image).ephemeralStorage().sizeInGiB())
                .isEqualTo(110);
    }
}
