package io.perfbox.testing.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.domain.JobId;
import java.util.Map;

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

    /** The run clock's image as the stack's image asset names it (a placeholder registry, the asset's hash as tag). */
    public static final String RUN_CLOCK_IMAGE = "registry.invalid/cdk-hnb659fds-container-assets-123456789012-eu-west-1:"
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
            Map.entry("PERFBOX_RUN_CLOCK_IMAGE", RUN_CLOCK_IMAGE),
            Map.entry("PERFBOX_MAX_IMAGE_MIB", "10240"),
            Map.entry("PERFBOX_FILE_SYSTEM_ID", "fs-0123456789abcdef0"),
            Map.entry("PERFBOX_ECR_REPOSITORY", REPOSITORY),
            Map.entry("PERFBOX_JOB_ROLE_BOUNDARY_ARN", "arn:aws:iam::123456789012:policy/perfbox-job-boundary"),
            Map.entry("PERFBOX_BUILD_PROJECT", BUILD_PROJECT),
            Map.entry("PERFBOX_STATE_MACHINE_ARN", STATE_MACHINE));

    private StepInputs() {
    }

    /** The job's image as the build reports it; the registry host is a placeholder that names no real registry. */
    public static String imageUri(JobId id) {
        return "registry.invalid/" + REPOSITORY + ":job-" + id.value();
    }

    /** The job's container as a stopped task lists it: exitCode null when it never ran, reason null when ECS gave none. */
    public static String container(JobId id, Integer exitCode, String reason) {
        return """
                {"ContainerArn":"arn:aws:ecs:eu-west-1:123456789012:container/perfbox/%s/5b9d3e1c-7a2f-4c8e-9d6b-1e0f2a3b4c5d",
                 "Cpu":"0",%s"GpuIds":[],"Image":"%s",
                 "ImageDigest":"sha256:4f1d2b8a9c0e7f6d5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f",
                 "LastStatus":"STOPPED","ManagedAgents":[],"Name":"job","NetworkBindings":[],
                 "NetworkInterfaces":[{"AttachmentId":"8c7b6a5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d","PrivateIpv4Address":"10.0.12.34"}],
                 %s"RuntimeId":"%s-1772366401","TaskArn":"%s"}
                """.formatted(TASK_ID, exitCode == null ? "" : "\"ExitCode\":" + exitCode + ",", imageUri(id),
                reason == null ? "" : "\"Reason\":" + quoted(reason) + ",", TASK_ID, TASK_ARN);
    }

    /** The run clock's exit code when it slept to the end and so stopped the task (infra-cdk/run-clock/Dockerfile). */
    public static final int RUN_CLOCK_EXPIRED = 124;

    /**
     * The run clock as a stopped task lists it (the task's second essential container, started after the job's):
     * {@link #RUN_CLOCK_EXPIRED} when it slept to the end and so stopped the task, 0 when it was stopped with a task
     * that ended otherwise (its init passes SIGTERM on and it exits 0: RunClockImageIT), null when the task never
     * started it.
     */
    public static String runClock(Integer exitCode) {
        return """
                {"ContainerArn":"arn:aws:ecs:eu-west-1:123456789012:container/perfbox/%s/9e2a4c6b-1d3f-4a5b-8c7d-6e5f4a3b2c1d",
                 "Cpu":"0",%s"GpuIds":[],"Image":"%s",
                 "ImageDigest":"sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
                 "LastStatus":"STOPPED","ManagedAgents":[],"Name":"run-clock","NetworkBindings":[],
                 "NetworkInterfaces":[{"AttachmentId":"8c7b6a5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d","PrivateIpv4Address":"10.0.12.34"}],
                 "RuntimeId":"%s-2917364520","TaskArn":"%s"}
                """.formatted(TASK_ID, exitCode == null ? "" : "\"ExitCode\":" + exitCode + ",", RUN_CLOCK_IMAGE,
                TASK_ID, TASK_ARN);
    }

    /** The job's container and the run clock, as a job's task lists them. */
    public static String containers(String job, Integer runClockExitCode) {
        return job + "," + runClock(runClockExitCode);
    }

    /** When the fixtures' task went RUNNING (StartedAt), epoch milliseconds. */
    public static final long STARTED_AT = 1772366401554L;

    /** A stopped Fargate task as runTask.sync reports it. */
    public static String task(JobId id, String container, String stopCode, String stoppedReason) {
        // Its essential container exited (ExecutionStoppedAt), then the task began to stop.
        return task(id, container, stopCode, stoppedReason, 1772366460031L, 1772366470118L);
    }

    /**
     * A stopped Fargate task whose containers stopped at executionStoppedAt and which began to stop (StoppingAt) at
     * stoppingAt, epoch milliseconds.
     */
    public static String task(JobId id, String container, String stopCode, String stoppedReason,
                              long executionStoppedAt, long stoppingAt) {
        return """
                {"Attachments":[{"Details":[{"Name":"subnetId","Value":"subnet-0a1b2c3d4e5f60718"},
                   {"Name":"networkInterfaceId","Value":"eni-0123456789abcdef0"},{"Name":"macAddress","Value":"0a:1b:2c:3d:4e:5f"},
                   {"Name":"privateDnsName","Value":"ip-10-0-12-34.eu-west-1.compute.internal"},
                   {"Name":"privateIPv4Address","Value":"10.0.12.34"}],
                   "Id":"8c7b6a5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d","Status":"DELETED","Type":"eni"}],
                 "Attributes":[{"Name":"ecs.cpu-architecture","Value":"x86_64"}],
                 "AvailabilityZone":"eu-west-1a","ClusterArn":"%s","Connectivity":"CONNECTED","ConnectivityAt":1772366396512,
                 "Containers":[%s],
                 "Cpu":"1024","CreatedAt":1772366390187,"DesiredStatus":"STOPPED","EnableExecuteCommand":false,
                 "EphemeralStorage":{"SizeInGiB":20},"ExecutionStoppedAt":%d,"Group":"family:perfbox-job-%s",
                 "InferenceAccelerators":[],"LastStatus":"STOPPED","LaunchType":"FARGATE","Memory":"2048",
                 "Overrides":{"ContainerOverrides":[{"Name":"job"},{"Name":"run-clock"}],"InferenceAcceleratorOverrides":[]},
                 "PlatformFamily":"Linux","PlatformVersion":"1.4.0","PullStartedAt":1772366399873,"PullStoppedAt":1772366400911,
                 "StartedAt":%d,"StartedBy":"%s","StopCode":"%s","StoppedAt":%d,
                 "StoppedReason":%s,"StoppingAt":%d,"Tags":[],"TaskArn":"%s",
                 "TaskDefinitionArn":"arn:aws:ecs:eu-west-1:123456789012:task-definition/perfbox-job-%s:1","Version":5}
                """.formatted(CLUSTER, container, executionStoppedAt, id.value(), STARTED_AT, id.value(), stopCode,
                stoppingAt + 13_109, quoted(stoppedReason), stoppingAt, TASK_ARN, id.value());
    }

    /**
     * runTask.sync's output for a job's container that exited 0, with the run clock as ECS leaves it when it stops the
     * task (SIGTERM: the clock exits 0). It passes {@link #runTaskSync}'s rule: every container exited 0.
     */
    public static String succeededTask(JobId id) {
        return task(id, containers(container(id, 0, null), 0), "EssentialContainerExited",
                "Essential container in task exited");
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
    public static java.util.Optional<String> runTaskSync(String task) {
        try {
            com.fasterxml.jackson.databind.JsonNode containers = JSON.readTree(task).path("Containers");
            boolean allZero = containers.isArray() && !containers.isEmpty();
            for (com.fasterxml.jackson.databind.JsonNode c : containers) {
                allZero &= c.path("ExitCode").isInt() && c.path("ExitCode").asInt() == 0;
            }
            return allZero ? java.util.Optional.empty() : java.util.Optional.of(taskFailedError(task));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a task: " + task, e);
        }
    }

    /**
     * The run clock slept to its end (exit {@link #RUN_CLOCK_EXPIRED}) and stopped the task; ECS stopped the job's
     * container, which exited with jobExitCode (143 for SIGTERM, 137 when SIGKILL followed, 0 when it handled SIGTERM
     * and exited cleanly). runTask.sync fails such a task whatever the job exited with (the clock's exit is non-zero).
     */
    public static String runClockExpiredTask(JobId id, int jobExitCode, long ranMillis) {
        return task(id, containers(container(id, jobExitCode, null), RUN_CLOCK_EXPIRED), "EssentialContainerExited",
                "Essential container in task exited", STARTED_AT + ranMillis + 1_204, STARTED_AT + ranMillis);
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

    public static String outOfMemoryError(JobId id) {
        return taskFailedError(task(id, containers(container(id, 137,
                        "OutOfMemoryError: Container killed due to memory usage"), 0),
                "EssentialContainerExited", "Essential container in task exited"));
    }

    public static String cannotPullError(JobId id) {
        String reason = "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
                + imageUri(id) + ": not found";
        return taskFailedError(task(id, containers(container(id, null, reason), null), "TaskFailedToStart", reason));
    }

    public static String timeoutError() {
        return error("States.Timeout", "");
    }

    /** A Java Lambda's exception as Step Functions reports it. */
    public static String lambdaError(String type, String message) {
        ObjectNode cause = JSON.createObjectNode().put("errorMessage", message).put("errorType", type);
        cause.putArray("stackTrace").add("io.perfbox.runtime.aws.workflow.BeginHandler.handleRequest(BeginHandler.java:40)");
        return error(type, cause.toString());
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
