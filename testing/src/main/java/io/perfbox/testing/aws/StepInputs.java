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
            Map.entry("PERFBOX_MAX_IMAGE_MIB", "10240"),
            Map.entry("PERFBOX_FILE_SYSTEM_ID", "fs-0123456789abcdef0"),
            Map.entry("PERFBOX_ECR_REPOSITORY", REPOSITORY),
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

    /** A stopped Fargate task as runTask.sync reports it. */
    public static String task(JobId id, String container, String stopCode, String stoppedReason) {
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
                 "EphemeralStorage":{"SizeInGiB":20},"ExecutionStoppedAt":1772366460031,"Group":"family:perfbox-job-%s",
                 "InferenceAccelerators":[],"LastStatus":"STOPPED","LaunchType":"FARGATE","Memory":"2048",
                 "Overrides":{"ContainerOverrides":[{"Name":"job"}],"InferenceAcceleratorOverrides":[]},
                 "PlatformFamily":"Linux","PlatformVersion":"1.4.0","PullStartedAt":1772366399873,"PullStoppedAt":1772366400911,
                 "StartedAt":1772366401554,"StartedBy":"%s","StopCode":"%s","StoppedAt":1772366483227,
                 "StoppedReason":%s,"StoppingAt":1772366470118,"Tags":[],"TaskArn":"%s",
                 "TaskDefinitionArn":"arn:aws:ecs:eu-west-1:123456789012:task-definition/perfbox-job-%s:1","Version":5}
                """.formatted(CLUSTER, container, id.value(), id.value(), stopCode, quoted(stoppedReason), TASK_ARN, id.value());
    }

    /** runTask.sync's output for a container that exited 0. */
    public static String succeededTask(JobId id) {
        return task(id, container(id, 0, null), "EssentialContainerExited", "Essential container in task exited");
    }

    /** What a Catch puts in $.error when runTask.sync fails the state: the Cause is the task, as a string. */
    public static String taskFailedError(String task) {
        return error("States.TaskFailed", task);
    }

    public static String exitedError(JobId id, int exitCode) {
        return taskFailedError(task(id, container(id, exitCode, null), "EssentialContainerExited",
                "Essential container in task exited"));
    }

    public static String outOfMemoryError(JobId id) {
        return taskFailedError(task(id, container(id, 137, "OutOfMemoryError: Container killed due to memory usage"),
                "EssentialContainerExited", "Essential container in task exited"));
    }

    public static String cannotPullError(JobId id) {
        String reason = "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
                + imageUri(id) + ": not found";
        return taskFailedError(task(id, container(id, null, reason), "TaskFailedToStart", reason));
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
