package io.perfbox.adapter.aws;

import io.perfbox.adapter.aws.s3.ArtifactKeys;
import io.perfbox.core.domain.JobId;

/**
 * How a job's AWS resources are named, in one place: the workflow, the adapters and the build (buildspec, CDK)
 * must agree on every one of these.
 */
public final class AwsJobNames {
    /** The name of the job's container in its task definition (and so in its log stream). */
    public static final String CONTAINER = "job";
    /**
     * The first container of a job's task, not essential: as root, without any capability, it makes the task's /data
     * volume writable by every user (Fargate creates a task's bind-mount volume as root, mode 0755), then exits 0;
     * the job's container starts only once it has (dependsOn SUCCESS). An AWS engineer gives this init container as
     * the way to set a Fargate bind mount's permissions (aws/containers-roadmap issue #938, 2021-06-25).
     */
    public static final String DATA_INIT_CONTAINER = "data-init";
    /**
     * An essential container of a job's task: it starts once the job's container has started, sleeps the run timeout
     * and exits 0, which stops the task (and ECS stops the job's container). So the run's limit counts from the job's
     * own start, not from RunTask (provisioning and the image pull are not the customer's run time). Stopped with the
     * task it exits 0 too: runTask.sync fails on any container's non-zero exit. A run timeout is told by the
     * {@link #COLLECTOR_CONTAINER} never having run, not by any exit code.
     */
    public static final String RUN_CLOCK_CONTAINER = "run-clock";
    /**
     * The other essential container: it starts once the job's container has exited (dependsOn COMPLETE), reads
     * /data/perf.json without following links and writes it as its record on its own log stream (awslogs, written
     * with the execution role: no credential is in the task), then exits 0, which stops the task.
     */
    public static final String COLLECTOR_CONTAINER = "collector";
    /** awslogs stream prefix: streams are {@code job/job/<task id>}. */
    public static final String LOG_STREAM_PREFIX = "job";
    /** Where the job's volume is mounted in its container. */
    public static final String DATA_PATH = "/data";
    /** What every job's task definition family starts with, before its id. */
    public static final String TASK_FAMILY_PREFIX = "perfbox-job-";
    /** What every job's image tag starts with, before its id. */
    public static final String IMAGE_TAG_PREFIX = "job-";

    private AwsJobNames() {
    }

    /** The task definition family of the job's run: {@code perfbox-job-<id>}. */
    public static String taskFamily(JobId id) {
        return TASK_FAMILY_PREFIX + id.value();
    }

    /** The tag of the job's image in the repository: {@code job-<id>}. */
    public static String imageTag(JobId id) {
        return IMAGE_TAG_PREFIX + id.value();
    }

    /**
     * Whether an image URI is exactly the job's tag in perfbox's repository, {@code <registry>/<repository>:job-<id>}:
     * the only image a job may run.
     */
    public static boolean isJobImage(String repository, JobId id, String imageUri) {
        return imageUri != null && imageUri.endsWith("/" + repository + ":" + imageTag(id))
                && imageUri.chars().noneMatch(Character::isWhitespace);
    }

    /** The job's S3 object {@code jobs/<id>/<name>} in the artifact bucket (see {@link ArtifactKeys}). */
    public static String artifactKey(JobId id, String name) {
        return ArtifactKeys.of(id, name);
    }

    /** The CloudWatch Logs stream of a run's container: {@code job/job/<task id>}. */
    public static String runLogStream(String taskArn) {
        return logStream(CONTAINER, taskArn);
    }

    /** The CloudWatch Logs stream of the run's collector: {@code job/collector/<task id>}. */
    public static String collectorLogStream(String taskArn) {
        return logStream(COLLECTOR_CONTAINER, taskArn);
    }

    /** awslogs names a container's stream prefix/container/task id. */
    private static String logStream(String container, String taskArn) {
        return LOG_STREAM_PREFIX + "/" + container + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }
}
