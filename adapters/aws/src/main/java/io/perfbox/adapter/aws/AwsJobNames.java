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
     * The second essential container of a job's task: it starts once the job's container has started, sleeps the run
     * timeout and exits {@link #RUN_CLOCK_EXPIRED}, which stops the task. So the run's limit counts from the job's own
     * start, not from RunTask (provisioning and the image pull are not the customer's run time). Stopped with the task
     * (the job's container ended first) it exits 0: runTask.sync fails on any container's non-zero exit.
     */
    public static final String RUN_CLOCK_CONTAINER = "run-clock";
    /** The run clock's exit code when it slept to the end (infra-cdk/run-clock/Dockerfile): the run timeout's mark. */
    public static final int RUN_CLOCK_EXPIRED = 124;
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

    /** The IAM path of every job's task role (so a grant or a sweep can name them all and nothing else). */
    public static final String ROLE_PATH = "/perfbox/jobs/";
    /** What every job's task role is named by, before its job id. */
    public static final String ROLE_NAME_PREFIX = "perfbox-job-";

    /** The name of the job's task role, under {@link #ROLE_PATH}: {@code perfbox-job-<id>} (48 of IAM's 64 characters). */
    public static String roleName(JobId id) {
        return ROLE_NAME_PREFIX + id.value();
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

    /** The job's directory on the EFS file system, the root of its access point: {@code /jobs/<id>}. */
    public static String accessPointRoot(JobId id) {
        return "/jobs/" + id.value();
    }

    /** The job's S3 object {@code jobs/<id>/<name>} in the artifact bucket (see {@link ArtifactKeys}). */
    public static String artifactKey(JobId id, String name) {
        return ArtifactKeys.of(id, name);
    }

    /** The CloudWatch Logs stream of a run's container: {@code job/job/<task id>}. */
    public static String runLogStream(String taskArn) {
        return LOG_STREAM_PREFIX + "/" + CONTAINER + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }
}
