package io.perfbox.adapter.aws.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.RunReceipt;
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
 * not report it. platformVersion is the Fargate platform the task ran on ("1.4.0"), null when not reported.
 * cpuUnits and memoryMiB are the task's size as ECS reports it ("Cpu": "256", "Memory": "512": CPU units, 1024 to a
 * vCPU, and MiB), null when not reported or not a positive whole number.
 */
public record StoppedTask(String taskArn, String stopCode, String stoppedReason, List<StoppedContainer> containers,
                          Instant startedAt, Instant stoppingAt, String platformVersion, Integer cpuUnits,
                          Integer memoryMiB) {
    /** Epoch numbers above this are milliseconds (Step Functions' output), below it seconds (the API's JSON). */
    private static final double MILLIS_FROM = 1e11;

    public StoppedTask {
        containers = List.copyOf(containers);
    }

    /**
     * One container: exitCode is null when it never ran; reason is ECS's ("OutOfMemoryError: ..."); imageDigest is the
     * digest of the image ECS pulled for it ("sha256:..."), null when not reported.
     */
    public record StoppedContainer(String name, Integer exitCode, String reason, String imageDigest) {
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
                        AwsJson.text(c, "Reason").orElse(null), AwsJson.text(c, "ImageDigest").orElse(null)));
            }
        });
        return Optional.of(new StoppedTask(arn.get(), AwsJson.text(node, "StopCode").orElse(null),
                AwsJson.text(node, "StoppedReason").orElse(null), containers, instant(node, "StartedAt"),
                instant(node, "StoppingAt"), AwsJson.text(node, "PlatformVersion").orElse(null),
                positive(node, "Cpu"), positive(node, "Memory")));
    }

    /** The job container's image digest as ECS pulled it, when the task names the job's container and its digest. */
    public Optional<String> jobImageDigest() {
        return jobContainer().map(StoppedContainer::imageDigest);
    }

    /**
     * The receipt's part of a run on Fargate: the task's size as ECS reports it (its Cpu units and Memory: the job's
     * CPUs and memory, its one container having no lower limit of its own; {@code settings}' where the task does not
     * say), the rest of {@code settings} (the run timeout), as the runtime the Fargate platform version the task ran
     * on, and the digest of the image ECS pulled for the job's container (what ran, as the registry knows it). The
     * host's CPU model and kernel are Fargate's, not told in a task's description: left unknown.
     */
    public RunReceipt receipt(RunReceipt.Limits settings) {
        RunReceipt.Limits set = settings != null ? settings : new RunReceipt.Limits(null, null, null, null, null, null);
        RunReceipt.Limits limits = new RunReceipt.Limits(
                memoryMiB != null ? (long) memoryMiB << 20 : set.memoryBytes(),
                cpuUnits != null ? cpuUnits / 1024.0 : set.cpus(),
                set.pids(), set.timeoutSeconds(), set.dataBytes(), set.writableLayerBytes());
        RunReceipt ran = RunReceipt.ran(limits, null, platformVersion == null ? "fargate" : "fargate " + platformVersion,
                null, null);
        return jobImageDigest().map(digest -> ran.merge(RunReceipt.built(digest, List.of()))).orElse(ran);
    }

    /** A task size field: ECS writes it as a string of a whole number ("256"); a number is taken too. */
    private static Integer positive(JsonNode node, String name) {
        Optional<JsonNode> value = AwsJson.field(node, name);
        if (value.isEmpty()) {
            return null;
        }
        String text = value.get().isNumber() || value.get().isTextual() ? value.get().asText().strip() : "";
        if (!text.matches("[1-9][0-9]{0,8}")) {
            return null;
        }
        return Integer.parseInt(text);
    }

    /** The helpers of a job's task, by name, in the order they start: never the job's container. */
    static final List<String> HELPERS = List.of(AwsJobNames.DATA_INIT_CONTAINER, AwsJobNames.RUN_CLOCK_CONTAINER,
            AwsJobNames.COLLECTOR_CONTAINER);
    /** ECS's stop code for a task stopped by a StopTask call (perfbox's or an operator's). */
    static final String USER_INITIATED = "UserInitiated";

    /** The job's container (by its name), else the only one there is that is not a helper. */
    Optional<StoppedContainer> jobContainer() {
        List<StoppedContainer> notHelpers = containers.stream().filter(c -> !HELPERS.contains(c.name())).toList();
        return notHelpers.stream().filter(c -> AwsJobNames.CONTAINER.equals(c.name())).findFirst()
                .or(() -> notHelpers.size() == 1 ? Optional.of(notHelpers.get(0)) : Optional.empty());
    }

    /** A helper of the task by name, when the task lists it. */
    Optional<StoppedContainer> helper(String name) {
        return containers.stream().filter(c -> name.equals(c.name())).findFirst();
    }

    /**
     * Whether the run clock stopped the task: it ran (and so had started after the job's container) and exited 0, the
     * collector never ran (it starts only once the job's container has exited, and the task stopping first leaves it
     * unstarted), and no StopTask call stopped the task. A job that ended by itself always leaves the collector's
     * exit code. No exit code tells this: every helper exits 0.
     */
    boolean runClockExpired() {
        boolean clockEnded = helper(AwsJobNames.RUN_CLOCK_CONTAINER).map(StoppedContainer::exitCode)
                .filter(code -> code == 0).isPresent();
        Optional<StoppedContainer> collector = helper(AwsJobNames.COLLECTOR_CONTAINER);
        boolean collectorNeverRan = collector.isPresent() && collector.get().exitCode() == null;
        return clockEnded && collectorNeverRan && !USER_INITIATED.equals(stopCode);
    }

    /** Whether the collector ran to its end (exit 0): its record of /data/perf.json is on its log stream. */
    public boolean collected() {
        return helper(AwsJobNames.COLLECTOR_CONTAINER).map(StoppedContainer::exitCode).filter(code -> code == 0)
                .isPresent();
    }

    /** How long the task ran, from RUNNING to STOPPING: what the run clock measured. Empty without both times. */
    public Optional<Duration> runTime() {
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
