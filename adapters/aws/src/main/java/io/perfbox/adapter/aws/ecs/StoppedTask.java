package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an ECS task description that tell how a run ended: the output of {@code ecs:runTask.sync} on
 * success, the Cause of its failure when the container exited non-zero.
 */
public record StoppedTask(String taskArn, String stopCode, String stoppedReason, List<StoppedContainer> containers) {

    public StoppedTask {
        containers = List.copyOf(containers);
    }

    /** One container: exitCode is null when it never ran; reason is ECS's ("OutOfMemoryError: ..."). */
    public record StoppedContainer(String name, Integer exitCode, String reason) {
    }

    /** The task in a JSON object, or empty when the object is not an ECS task (it has no TaskArn). */
    public static Optional<StoppedTask> from(JsonNode node) {
        Optional<String> arn = AwsJson.text(node, "TaskArn").filter(a -> a.startsWith("arn:"));
        if (arn.isEmpty()) {
            return Optional.empty();
        }
        List<StoppedContainer> containers = new ArrayList<>();
        AwsJson.field(node, "Containers").filter(JsonNode::isArray).ifPresent(array -> {
            for (JsonNode c : array) {
                Integer exit = AwsJson.field(c, "ExitCode").filter(JsonNode::canConvertToInt).map(JsonNode::asInt)
                        .orElse(null);
                containers.add(new StoppedContainer(AwsJson.text(c, "Name").orElse(null), exit,
                        AwsJson.text(c, "Reason").orElse(null)));
            }
        });
        return Optional.of(new StoppedTask(arn.get(), AwsJson.text(node, "StopCode").orElse(null),
                AwsJson.text(node, "StoppedReason").orElse(null), containers));
    }

    /** The job's container (by its name), else the only one there is. */
    Optional<StoppedContainer> jobContainer() {
        return containers.stream().filter(c -> AwsJobNames.CONTAINER.equals(c.name())).findFirst()
                .or(() -> containers.size() == 1 ? Optional.of(containers.get(0)) : Optional.empty());
    }
}
