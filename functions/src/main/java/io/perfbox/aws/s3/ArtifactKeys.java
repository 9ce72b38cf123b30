package io.perfbox.aws.s3;

import io.perfbox.aws.workflow.AwsJobNames;
import io.perfbox.core.domain.JobId;

/**
 * The API's objects in the artifact bucket, on the layout of the AWS design ({@link AwsJobNames#artifactKey}): all
 * of a job's objects are under {@code jobs/<id>/}, so one prefix removes them all; the trailing slash keeps one
 * job's prefix from matching another's.
 */
public final class ArtifactKeys {
    private ArtifactKeys() {
    }

    /** Every object of the job, whoever wrote it (the API, the build, the workflow). */
    public static String jobPrefix(JobId id) {
        return AwsJobNames.artifactKey(id, "");
    }

    /** The Dockerfile the job was submitted with ({@link S3DockerfileStore}), where the build reads it. */
    public static String dockerfile(JobId id) {
        return AwsJobNames.artifactKey(id, "Dockerfile");
    }

    /** What {@link S3JobArtifactStore} keeps: the logs and the scan report a customer reads. */
    public static String artifactsPrefix(JobId id) {
        return AwsJobNames.artifactKey(id, "artifacts/");
    }
}
