package io.perfbox.adapter.aws.ecs;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an ECS task description that tell how a run ended: the output of {@code ecs:runTask.sync} on
 * success, the Cause of its failure when a container exited non-zero. startedAt is when the task went RUNNING (its
 * essential containers, the job's first, had started), stoppingAt when it began to stop; either is null when ECS did
 * not report it.
 */
public record StoppedTask(String taskArn, String stopCode, String stoppedReason, List<StoppedContainer> containers,
                          Instant startedAt, Instant stoppingAt) {
    /** Epoch numbers above this are milliseconds (Step Functions' output), below it seconds (the API's JSON). */
    private static final double MILLIS_FROM = 1e11;

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
                AwsJson.text(node, "StoppedReason").orElse(null), containers, instant(node, "StartedAt"),
                instant(node, "StoppingAt")));
    }

    /** The job's container (by its name), else the only one there is that is not the run clock. */
    Optional<StoppedContainer> jobContainer() {
        List<StoppedContainer> notClock = containers.stream()
                .filter(c -> !AwsJobNames.RUN_CLOCK_CONTAINER.equals(c.name())).toList();
        return notClock.stream().filter(c -> AwsJobNames.CONTAINER.equals(c.name())).findFirst()
                .or(() -> notClock.size() == 1 ? Optional.of(notClock.get(0)) : Optional.empty());
    }

    /**
     * Whether the run clock slept to its end: it exits {@link AwsJobNames#RUN_CLOCK_EXPIRED} only then, and its exit
     * stopped the task (and the job's container with it). Stopped with the task after the job ended by itself, it
     * exits 0.
     */
    boolean runClockExpired() {
        return containers.stream().anyMatch(c -> AwsJobNames.RUN_CLOCK_CONTAINER.equals(c.name())
                && c.exitCode() != null && c.exitCode() == AwsJobNames.RUN_CLOCK_EXPIRED);
    }

    /** How long the task ran, from RUNNING to STOPPING: what the run clock measured. Empty without both times. */
    Optional<Duration> runTime() {
        if (startedAt == null || stoppingAt == null || stoppingAt.isBefore(startedAt)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(startedAt, stoppingAt));
    }

    /** A task time: epoch milliseconds or seconds as a number, or an ISO-8601 instant (EventBridge's events). */
    private static Instant instant(JsonNode node, String name) {
        Optional<JsonNode> value = AwsJson.field(node, name);
        if (value.isEmpty()) {
            return null;
        }
        JsonNode v = value.get();
        if (v.isNumber()) {
            double n = v.asDouble();
            return n >= MILLIS_FROM ? Instant.ofEpochMilli(v.asLong()) : Instant.ofEpochMilli(Math.round(n * 1000));
        }
        try {
            return v.isTextual() ? Instant.parse(v.asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
