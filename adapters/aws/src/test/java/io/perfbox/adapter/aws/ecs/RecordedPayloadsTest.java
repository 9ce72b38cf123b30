package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.testing.aws.RecordedPayloads;
import io.perfbox.testing.aws.StepInputs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;

/**
 * The task fixtures are the recorded runTask.sync output (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT) with ids, names and
 * times changed, and nothing else: same members, same nesting; and they name the job's containers as the adapter does.
 */
class RecordedPayloadsTest {
    private static final CapturedLog LOG = new CapturedLog("", false);
    private final JobId id = JobId.random();

    private static Set<String> paths(JsonNode node, String prefix, Set<String> into) {
        if (node.isObject()) {
            node.properties().forEach(f -> {
                into.add(prefix + "/" + f.getKey());
                paths(f.getValue(), prefix + "/" + f.getKey(), into);
            });
        } else if (node.isArray() && !node.isEmpty()) {
            paths(node.get(0), prefix + "/0", into);
        }
        return into;
    }

    @Test
    void theRecordedOutputIsReadAsARunThatExitedZero() throws Exception {
        StoppedTask task = StoppedTask.from(StepInputs.JSON.readTree(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT)).orElseThrow();
        assertThat(task.stopCode()).isEqualTo(RecordedPayloads.STOP_ESSENTIAL_EXITED);
        assertThat(task.runTime()).contains(Duration.ofMillis(1680596481818L - 1680596463814L));
        assertThat(EcsRunOutcome.of(task, LOG, Duration.ofMinutes(10))).isEqualTo(new ContainerRunner.Exited(0, LOG));
        assertThat(EcsRunOutcome.platformFailure(task)).isEmpty();
    }

    @Test
    void theRecordedOutputTellsTheTasksSizeItsPlatformAndTheImageDigestEcsPulled() throws Exception {
        StoppedTask task = StoppedTask.from(StepInputs.JSON.readTree(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT)).orElseThrow();
        // "Cpu": "256", "Memory": "512", "PlatformVersion": "1.4.0"; the publisher redacted the digest ("sha256:REDACTED").
        assertThat(task.cpuUnits()).isEqualTo(256);
        assertThat(task.memoryMiB()).isEqualTo(512);
        assertThat(task.platformVersion()).isEqualTo("1.4.0");
        assertThat(task.jobImageDigest()).contains("sha256:REDACTED");
    }

    @Test
    void aJobTasksImageDigestIsTheJobContainersNeverAHelpersAndASizeThatIsNoWholeNumberIsUnknown() throws Exception {
        var node = (ObjectNode) StepInputs.JSON.readTree(StepInputs.succeededTask(id));
        StoppedTask task = StoppedTask.from(node).orElseThrow();
        String expected = null;
        for (JsonNode c : node.at("/Containers")) {
            if (c.path("Name").asText().equals(AwsJobNames.CONTAINER)) {
                expected = c.path("ImageDigest").asText();
            }
        }
        assertThat(expected).as("the fixture's job container has a digest").startsWith("sha256:");
        assertThat(task.jobImageDigest()).contains(expected);
        assertThat(task.cpuUnits()).isEqualTo(Integer.parseInt(StepInputs.ENV.get("PERFBOX_TASK_CPU")));

        node.put("Cpu", "0.25 vCPU").put("Memory", "-512");
        StoppedTask odd = StoppedTask.from(node).orElseThrow();
        assertThat(odd.cpuUnits()).isNull();
        assertThat(odd.memoryMiB()).isNull();
    }

    @Test
    void aJobTaskFixtureHasExactlyTheRecordedOutputsMembersLessTheSpotPlacement() throws Exception {
        Set<String> recorded = paths(StepInputs.JSON.readTree(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT), "", new HashSet<>());
        recorded.remove("/CapacityProviderName");
        Set<String> fixture = paths(StepInputs.JSON.readTree(StepInputs.succeededTask(id)), "", new HashSet<>());
        assertThat(fixture).isEqualTo(recorded);
    }

    @Test
    void theFixturesNameTheJobsContainersAsTheAdapterAndTheTaskDefinitionDo() throws Exception {
        assertThat(StepInputs.JOB_CONTAINER).isEqualTo(AwsJobNames.CONTAINER);
        assertThat(StepInputs.RUN_CLOCK_CONTAINER).isEqualTo(AwsJobNames.RUN_CLOCK_CONTAINER);
        assertThat(StepInputs.DATA_INIT_CONTAINER).isEqualTo(AwsJobNames.DATA_INIT_CONTAINER);
        assertThat(StepInputs.COLLECTOR_CONTAINER).isEqualTo(AwsJobNames.COLLECTOR_CONTAINER);
        // The fixtures' tasks list the containers the task definition has, in its order.
        assertThat(StepInputs.JOB_TASK_CONTAINERS).containsExactlyElementsOf(new EcsTaskDefinitions(null,
                new EcsTaskDefinitions.Settings("eu-west-1", "/perfbox/runs", 1024, 2048, 20, "arn:aws:iam::1:role/x",
                        StepInputs.TASK_HELPERS_IMAGE, 900)).request(id, StepInputs.imageUri(id)).containerDefinitions()
                .stream().map(ContainerDefinition::name).toList());
        JsonNode task = StepInputs.JSON.readTree(StepInputs.succeededTask(id));
        List<String> names = new ArrayList<>();
        task.get("Containers").forEach(c -> names.add(c.get("Name").asText()));
        assertThat(names).containsExactlyElementsOf(StepInputs.JOB_TASK_CONTAINERS);
        List<String> overridden = new ArrayList<>();
        task.at("/Overrides/ContainerOverrides").forEach(c -> overridden.add(c.get("Name").asText()));
        assertThat(overridden).containsExactlyElementsOf(StepInputs.JOB_TASK_CONTAINERS);
        assertThat(AwsJobNames.runLogStream(task.get("TaskArn").asText())).endsWith("/" + StepInputs.TASK_ID);
    }
}
