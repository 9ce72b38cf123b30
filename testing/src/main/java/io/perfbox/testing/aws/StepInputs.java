package io.perfbox.testing.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.domain.JobId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Step inputs and service outputs shaped as Step Functions hands them to the Lambdas (for the ECS adapter's tests
 * and the workflow handlers' alike). The ECS task follows what
 * {@code ecs:runTask.sync} returns (the DescribeTasks task in PascalCase, as recorded from real runs); a failed
 * run's Cause is that same task serialised into a string.
 */
public final class StepInputs {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String REPOSITORY = "perfbox-jobs";
    public static final String CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/perfbox";
    public static final String BUILD_PROJECT = "BuildAndScanProject";
    public static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:Perfbox-JobWorkflow";
    public static final String TASK_ID = "0f3c7ad9b8e64f41a2d5c6b7e8f90a1b";
    public static final String TASK_ARN = "arn:aws:ecs:eu-west-1:123456789012:task/perfbox/" + TASK_ID;

    /** The task helpers' image as the stack's image asset names it (a placeholder registry, the asset's hash as tag). */
    public static final String TASK_HELPERS_IMAGE = "registry.invalid/cdk-hnb659fds-container-assets-123456789012-eu-west-1:"
            + "5f0c3b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e";

    public static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("AWS_REGION", "eu-west-1"),
            Map.entry("PERFBOX_JOBS_TABLE", "perfbox-jobs"),
            Map.entry("PERFBOX_ARTIFACT_BUCKET", "perfbox-artifacts-123456789012"),
            Map.entry("PERFBOX_SEVERITY_THRESHOLD", "HIGH"),
            Map.entry("PERFBOX_IGNORE_UNFIXED", "false"),
            Map.entry("PERFBOX_CLUSTER_ARN", CLUSTER),
            Map.entry("PERFBOX_TASK_EXECUTION_ROLE_ARN", "arn:aws:iam::123456789012:role/perfbox-task-execution"),
            Map.entry("PERFBOX_TASK_LOG_GROUP", "/perfbox/runs"),
            Map.entry("PERFBOX_TASK_CPU", "1024"),
            Map.entry("PERFBOX_TASK_MEMORY_MIB", "2048"),
            Map.entry("PERFBOX_RUN_TIMEOUT_SECONDS", "900"),
            Map.entry("PERFBOX_RUN_START_TIMEOUT_SECONDS", "1800"),
            Map.entry("PERFBOX_TASK_HELPERS_IMAGE", TASK_HELPERS_IMAGE),
            Map.entry("PERFBOX_MAX_IMAGE_MIB", "10240"),
            Map.entry("PERFBOX_ECR_REPOSITORY", REPOSITORY),
            Map.entry("PERFBOX_BUILD_PROJECT", BUILD_PROJECT),
            Map.entry("PERFBOX_STATE_MACHINE_ARN", STATE_MACHINE));

    private StepInputs() {
    }

    /** The job's image as the build reports it; the registry host is a placeholder that names no real registry. */
    public static String imageUri(JobId id) {
        return "registry.invalid/" + REPOSITORY + ":job-" + id.value();
    }

    // ---- the job's task, from the recorded runTask.sync output (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT) ----

    /** The job's container's name (AwsJobNames.CONTAINER; RecordedPayloadsTest holds the two together). */
    public static final String JOB_CONTAINER = "job";
    /** The helper that prepares /data before the job starts (AwsJobNames.DATA_INIT_CONTAINER). */
    public static final String DATA_INIT_CONTAINER = "data-init";
    /** The run clock's container's name (AwsJobNames.RUN_CLOCK_CONTAINER). */
    public static final String RUN_CLOCK_CONTAINER = "run-clock";
    /** The helper that reads /data/perf.json once the job's container exited (AwsJobNames.COLLECTOR_CONTAINER). */
    public static final String COLLECTOR_CONTAINER = "collector";
    /**
     * Every container of a job's task, in its task definition's order: the job's, then the helpers. The one place a
     * new container of the job's task is named (with its image in {@link #HELPER_IMAGES}): every task fixture lists
     * these, each as the recorded container with its name, image and exit substituted.
     */
    public static final List<String> JOB_TASK_CONTAINERS = List.of(JOB_CONTAINER, DATA_INIT_CONTAINER,
            RUN_CLOCK_CONTAINER, COLLECTOR_CONTAINER);
    /** The helpers' images, by container name: one image, three scripts (infra-cdk/task-helpers). */
    public static final Map<String, String> HELPER_IMAGES = Map.of(DATA_INIT_CONTAINER, TASK_HELPERS_IMAGE,
            RUN_CLOCK_CONTAINER, TASK_HELPERS_IMAGE, COLLECTOR_CONTAINER, TASK_HELPERS_IMAGE);

    /** The job's container as a stopped task lists it: exitCode null when it never ran, reason null when ECS gave none. */
    public static String container(JobId id, Integer exitCode, String reason) {
        return recordedContainer(JOB_CONTAINER, imageUri(id), exitCode, reason);
    }

    /**
     * The run clock as a stopped task lists it (an essential container, started after the job's): 0 when it slept to
     * the end and so stopped the task, and 0 too when it was stopped with a task that ended otherwise (its init passes
     * SIGTERM on: TaskHelpersImageIT); null when the task never started it.
     */
    public static String runClock(Integer exitCode) {
        return helper(RUN_CLOCK_CONTAINER, exitCode);
    }

    /** A helper container of the job's task (one of {@link #JOB_TASK_CONTAINERS} but the job's) as a stopped task lists it. */
    public static String helper(String name, Integer exitCode) {
        if (!HELPER_IMAGES.containsKey(name)) {
            throw new IllegalArgumentException("no helper container of a job's task is named " + name);
        }
        return recordedContainer(name, HELPER_IMAGES.get(name), exitCode, null);
    }

    /**
     * The job's container and the run clock with the given exit code, as a job's task lists them; data-init exited 0,
     * and the collector exited 0 when the job's container ran (it starts once that exited), else never ran.
     */
    public static String containers(String job, Integer runClockExitCode) {
        boolean jobRan = JSON_EXIT.matcher(job).find();
        return allContainers(job, Map.of(RUN_CLOCK_CONTAINER, Optional.ofNullable(runClockExitCode),
                COLLECTOR_CONTAINER, jobRan ? Optional.of(0) : Optional.empty()));
    }

    private static final Pattern JSON_EXIT = Pattern.compile("\"ExitCode\"\\s*:");

    /**
     * The job's container and every helper of {@link #JOB_TASK_CONTAINERS}, each with its exit code (empty: it never
     * ran); a helper not named exits 0, as every helper does when ECS stops the task after the job's container ended.
     */
    public static String allContainers(String job, Map<String, Optional<Integer>> helperExitCodes) {
        StringBuilder all = new StringBuilder(job);
        for (String name : JOB_TASK_CONTAINERS.subList(1, JOB_TASK_CONTAINERS.size())) {
            all.append(',').append(helper(name, helperExitCodes.getOrDefault(name, Optional.of(0)).orElse(null)));
        }
        return all.toString();
    }

    /**
     * The job's task stopped after the job's container ended by itself with jobExitCode (reason: ECS's container
     * reason, or null), every helper as ECS leaves it when it stops the task (exit 0), StopCode and StoppedReason as
     * the recorded output has them.
     */
    public static String jobTask(JobId id, Integer jobExitCode, String reason) {
        return task(id, allContainers(container(id, jobExitCode, reason), Map.of()),
                RecordedPayloads.STOP_ESSENTIAL_EXITED, RecordedPayloads.REASON_ESSENTIAL_EXITED);
    }

    /** When the fixtures' task went RUNNING (StartedAt), epoch milliseconds. */
    public static final long STARTED_AT = 1772366401554L;

    /** A stopped Fargate task as runTask.sync reports it. */
    public static String task(JobId id, String container, String stopCode, String stoppedReason) {
        // Its essential container exited (ExecutionStoppedAt), then the task began to stop.
        return task(id, container, stopCode, stoppedReason, 1772366460031L, 1772366470118L);
    }

    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";
    private static final String SUBNET = "subnet-0a1b2c3d4e5f60718";
    private static final String ENI = "eni-0123456789abcdef0";
    private static final String ATTACHMENT = "8c7b6a5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d";
    private static final String PRIVATE_IP = "10.0.12.34";

    /**
     * A stopped Fargate task whose containers stopped at executionStoppedAt and which began to stop (StoppingAt) at
     * stoppingAt, epoch milliseconds: {@link RecordedPayloads#ECS_RUN_TASK_SYNC_OUTPUT} with this stack's ids,
     * names, size and times, the given containers (a comma-separated list of container objects) and stop code and
     * reason, and the Spot placement dropped (CapacityProviderName: perfbox asks for LaunchType FARGATE only).
     */
    public static String task(JobId id, String container, String stopCode, String stoppedReason,
                              long executionStoppedAt, long stoppingAt) {
        try {
            ObjectNode task = (ObjectNode) JSON.readTree(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT);
            task.remove("CapacityProviderName");
            for (var detail : task.at("/Attachments/0/Details")) {
                ObjectNode d = (ObjectNode) detail;
                switch (d.get("Name").asText()) {
                    case "subnetId" -> d.put("Value", SUBNET);
                    case "networkInterfaceId" -> d.put("Value", ENI);
                    case "macAddress" -> d.put("Value", "0a:1b:2c:3d:4e:5f");
                    case "privateDnsName" -> d.put("Value", "ip-10-0-12-34." + REGION + ".compute.internal");
                    case "privateIPv4Address" -> d.put("Value", PRIVATE_IP);
                    default -> throw new IllegalStateException("unknown attachment detail " + d);
                }
            }
            ((ObjectNode) task.at("/Attachments/0")).put("Id", ATTACHMENT);
            task.put("AvailabilityZone", REGION + "a").put("ClusterArn", CLUSTER)
                    .put("ConnectivityAt", 1772366396512L).put("CreatedAt", 1772366390187L)
                    .put("Cpu", ENV.get("PERFBOX_TASK_CPU")).put("Memory", ENV.get("PERFBOX_TASK_MEMORY_MIB"))
                    .put("ExecutionStoppedAt", executionStoppedAt).put("Group", "family:perfbox-job-" + id.value())
                    .put("PullStartedAt", 1772366399873L).put("PullStoppedAt", 1772366400911L)
                    .put("StartedAt", STARTED_AT).put("StoppedAt", stoppingAt + 13_109).put("StoppingAt", stoppingAt)
                    .put("TaskArn", TASK_ARN).put("TaskDefinitionArn",
                            "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/perfbox-job-" + id.value() + ":1");
            if (stopCode == null) {
                task.remove("StopCode");
            } else {
                task.put("StopCode", stopCode);
            }
            if (stoppedReason == null) {
                task.remove("StoppedReason");
            } else {
                task.put("StoppedReason", stoppedReason);
            }
            var containers = (ArrayNode) JSON.readTree("[" + container + "]");
            task.set("Containers", containers);
            var overrides = task.withObjectProperty("Overrides").putArray("ContainerOverrides");
            for (var c : containers) {
                overrides.addObject().put("Name", c.get("Name").asText());
            }
            return JSON.writeValueAsString(task);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a list of containers: " + container, e);
        }
    }

    /**
     * The recorded task's one container (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT) with this task's ids, the given
     * name and image, ExitCode left out when the container never ran, and Reason (the DescribeTasks Container's
     * reason, in the PascalCase the recorded output uses for every member) when ECS gave one.
     */
    private static String recordedContainer(String name, String image, Integer exitCode, String reason) {
        try {
            ObjectNode c = (ObjectNode) JSON.readTree(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT).at("/Containers/0").deepCopy();
            int index = JOB_TASK_CONTAINERS.indexOf(name);
            c.put("ContainerArn", "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":container/perfbox/" + TASK_ID + "/"
                    + "5b9d3e1c-7a2f-4c8e-9d6b-1e0f2a3b4c" + String.format("%02x", Math.max(index, 0)));
            if (exitCode == null) {
                c.remove("ExitCode");
            } else {
                c.put("ExitCode", exitCode);
            }
            c.put("Image", image).put("ImageDigest", "sha256:" + String.format("%064x", Math.max(index, 0) + 0x4f1d2b8aL))
                    .put("Name", name).put("RuntimeId", TASK_ID + "-" + (1772366401L + index)).put("TaskArn", TASK_ARN);
            ((ObjectNode) c.at("/NetworkInterfaces/0")).put("AttachmentId", ATTACHMENT).put("PrivateIpv4Address", PRIVATE_IP);
            if (reason != null) {
                c.put("Reason", reason);
            }
            return JSON.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * runTask.sync's output for a job's container that exited 0, with the run clock as ECS leaves it when it stops the
     * task (SIGTERM: the clock exits 0). It passes {@link #runTaskSync}'s rule: every container exited 0.
     */
    public static String succeededTask(JobId id) {
        return jobTask(id, 0, null);
    }

    /**
     * What {@code ecs:runTask.sync} answers for a task that stopped, by its rule: the state succeeds with the task
     * as output only when EVERY container of the task exited 0, essential or not; otherwise (a container exited
     * non-zero, or never ran) it fails with States.TaskFailed and the task as the Cause. Evidence: in
     * wellcomecollection/catalogue-pipeline PR #3377 an execution's app container exited 0, its non-essential
     * fluent-bit sidecar was SIGKILLed (137), StopCode EssentialContainerExited, and the state failed
     * States.TaskFailed; aws/aws-for-fluent-bit issue #11 reports the same for Step Functions-started Fargate tasks;
     * aws/copilot-cli issue #3160 (a maintainer's trials) shows a container that never came up failing
     * States.TaskFailed too. Empty when the state succeeds, else the Catch's $.error.
     */
    public static Optional<String> runTaskSync(String task) {
        try {
            JsonNode containers = JSON.readTree(task).path("Containers");
            boolean allZero = containers.isArray() && !containers.isEmpty();
            for (JsonNode c : containers) {
                allZero &= c.path("ExitCode").isInt() && c.path("ExitCode").asInt() == 0;
            }
            return allZero ? Optional.empty() : Optional.of(taskFailedError(task));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a task: " + task, e);
        }
    }

    /**
     * The run clock slept to its end, exited 0 and so stopped the task; ECS stopped the job's container, which exited
     * with jobExitCode (143 for SIGTERM, 137 when SIGKILL followed, 0 when it handled SIGTERM and exited cleanly), and
     * the collector, waiting for the job's container to exit, never started. runTask.sync fails such a task unless
     * the job exited 0 (every helper that ran exited 0; the collector that never ran has no exit code: see
     * {@link #runTaskSync}).
     */
    public static String runClockExpiredTask(JobId id, int jobExitCode, long ranMillis) {
        return task(id, allContainers(container(id, jobExitCode, null), Map.of(RUN_CLOCK_CONTAINER,
                        Optional.of(0), COLLECTOR_CONTAINER, Optional.empty())),
                "EssentialContainerExited", "Essential container in task exited", STARTED_AT + ranMillis + 1_204,
                STARTED_AT + ranMillis);
    }

    /** runTask.sync's failure for a task the run clock stopped after ranMillis (the job's container exited 143). */
    public static String runClockExpiredError(JobId id, long ranMillis) {
        return runClockExpiredError(id, 143, ranMillis);
    }

    /** runTask.sync's failure for a task the run clock stopped after ranMillis, the job's container exiting jobExitCode. */
    public static String runClockExpiredError(JobId id, int jobExitCode, long ranMillis) {
        return taskFailedError(runClockExpiredTask(id, jobExitCode, ranMillis));
    }

    /** What a Catch puts in $.error when runTask.sync fails the state: the Cause is the task, as a string. */
    public static String taskFailedError(String task) {
        return error("States.TaskFailed", task);
    }

    public static String exitedError(JobId id, int exitCode) {
        return taskFailedError(task(id, containers(container(id, exitCode, null), 0), "EssentialContainerExited",
                "Essential container in task exited"));
    }

    /**
     * The job's container killed for memory: exit 137 with ECS's container reason "OutOfMemoryError: Container killed
     * due to memory usage" (the reason ECS's stopped-task troubleshooting documents for an OOM kill; not in the
     * recorded output, which has no failed container).
     */
    public static String outOfMemoryError(JobId id) {
        return taskFailedError(task(id, containers(container(id, 137,
                        "OutOfMemoryError: Container killed due to memory usage"), 0),
                "EssentialContainerExited", "Essential container in task exited"));
    }

    /**
     * A task that never started because its image could not be pulled: StopCode TaskFailedToStart, no container ran
     * (no ExitCode). The reason's wording follows the CannotPullContainerError messages ECS's "CannotPullContainer
     * task errors" troubleshooting page lists; this exact text is not verified against a recorded task.
     */
    public static String cannotPullError(JobId id) {
        String reason = "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
                + imageUri(id) + ": not found";
        return taskFailedError(task(id, containers(container(id, null, reason), null), "TaskFailedToStart", reason));
    }

    /** A state's own timer fired: States.Timeout (RecordedPayloads.STATES_TIMEOUT), with an empty Cause (unevidenced). */
    public static String timeoutError() {
        return error("States.Timeout", "");
    }

    /**
     * A Java Lambda's exception as a Catch sees it: Error is the exception's class (Lambda's errorType), Cause the
     * Java runtime's error document ({@link RecordedPayloads#LAMBDA_UNKNOWN}'s sources; {@link #lambdaInvokeError}).
     */
    public static String lambdaError(String type, String message) {
        ObjectNode payload = JSON.createObjectNode().put("errorMessage", message).put("errorType", type);
        payload.putArray("stackTrace").add("io.perfbox.runtime.aws.workflow.BeginHandler.handleRequest(BeginHandler.java:40)");
        return lambdaInvokeError(payload.toString()).orElseThrow();
    }

    /**
     * What a Lambda task state's Catch sees for an Invoke that answered FunctionError "Unhandled" with this payload,
     * by Step Functions' documented rule (RecordedPayloads.LAMBDA_UNKNOWN): the error is named by the payload's
     * errorType, with the payload as Cause; a payload without one (the function ran out of memory or time) is
     * Lambda.Unknown. Empty for a payload that is no error document (a function that returned normally).
     */
    public static Optional<String> lambdaInvokeError(String payload) {
        try {
            var document = JSON.readTree(payload);
            if (!document.isObject() || !document.has("errorMessage") && !document.has("errorType")) {
                return Optional.empty();
            }
            String type = document.path("errorType").asText("");
            return Optional.of(error(type.isBlank() ? RecordedPayloads.LAMBDA_UNKNOWN : type, payload));
        } catch (JsonProcessingException e) {
            return Optional.of(error(RecordedPayloads.LAMBDA_UNKNOWN, payload));
        }
    }

    /**
     * RunTask's answer with a non-empty Failures, as runTask.sync fails the state (AmazonECS.Unknown:
     * RecordedPayloads.ECS_UNKNOWN). The Cause's text is not documented: this one lists the Failure as the ECS API
     * Reference's Failure object has it (arn, reason), with the capacity reason Fargate gives.
     */
    public static String runTaskFailuresError(String reason) {
        return error(RecordedPayloads.ECS_UNKNOWN, "RunTask failures: [{\"arn\":null,\"reason\":" + quoted(reason) + "}]");
    }

    /**
     * A finished CodeBuild build as BuildAndScan's .sync integration hands it on (its output, or the Cause of
     * States.TaskFailed): the documented BatchGetBuilds example (RecordedPayloads.CODEBUILD_BUILD_SUCCEEDED) with this
     * stack's project, id and ARN, under "Build" with its members in PascalCase. That wrapping and casing are the
     * existing fixtures' and are not shown by any source here (perfbox's reader takes the build with or without
     * "Build", in either case). buildStatus is the build's; the phase failedPhase (null: none) gets phaseStatus and
     * one context (contextCode, message), and the phases after it are left as CodeBuild ran them in the example,
     * SUCCEEDED (no source here shows which phases CodeBuild still runs after a failed one).
     */
    public static String codeBuild(String buildStatus, String failedPhase, String phaseStatus, String contextCode,
                                   String message) {
        try {
            ObjectNode build = (ObjectNode) JSON.readTree(RecordedPayloads.CODEBUILD_BUILD_SUCCEEDED);
            String buildId = BUILD_PROJECT + ":7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71";
            build.put("projectName", BUILD_PROJECT).put("id", buildId).put("initiator", "states/perfbox-job")
                    .put("arn", "arn:aws:codebuild:" + REGION + ":" + ACCOUNT + ":build/" + buildId)
                    .put("buildStatus", buildStatus).put("queuedTimeoutInMinutes", 60).put("timeoutInMinutes", 45);
            boolean found = failedPhase == null;
            for (var phase : build.get("phases")) {
                if (phase.path("phaseType").asText().equals(failedPhase)) {
                    found = true;
                    ObjectNode p = (ObjectNode) phase;
                    p.put("phaseStatus", phaseStatus);
                    p.putArray("contexts").addObject().put("statusCode", contextCode).put("message", message);
                }
            }
            if (!found) {
                throw new IllegalArgumentException("no CodeBuild phase " + failedPhase);
            }
            ObjectNode output = JSON.createObjectNode();
            output.set("Build", pascalCase(build));
            return JSON.writeValueAsString(output);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A succeeded build, as {@link #codeBuild} makes it. */
    public static String codeBuildSucceeded() {
        return codeBuild("SUCCEEDED", null, null, null, null);
    }

    private static JsonNode pascalCase(JsonNode node) {
        if (node.isArray()) {
            var array = JSON.createArrayNode();
            node.forEach(element -> array.add(pascalCase(element)));
            return array;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode object = JSON.createObjectNode();
        node.properties().forEach(field -> object.set(
                Character.toUpperCase(field.getKey().charAt(0)) + field.getKey().substring(1), pascalCase(field.getValue())));
        return object;
    }

    public static String error(String error, String cause) {
        return JSON.createObjectNode().put("Error", error).put("Cause", cause).toString();
    }

    public static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON text of a step input, turned into what the Lambda runtime hands a Map handler. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> input(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }
}
