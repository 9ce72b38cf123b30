package io.perfbox.adapter.aws.s3;

import io.perfbox.core.domain.JobId;

/**
 * The layout of the artifact bucket (the AWS design): all of a job's objects are under {@code jobs/<id>/}, so one
 * prefix removes them all; the trailing slash keeps one job's prefix from matching another's. The API's and the
 * workflow's adapters name every object through {@link #of} (the buildspec writes the same keys). It lives here,
 * not with the workflow's names, so that the API's deployment jar needs nothing of the workflow.
 */
public final class ArtifactKeys {
    private ArtifactKeys() {
    }

    /** The job's object {@code jobs/<id>/<name>}. */
    public static String of(JobId id, String name) {
        return "jobs/" + id.value() + "/" + name;
    }

    /** Every object of the job, whoever wrote it (the API, the build, the workflow). */
    public static String jobPrefix(JobId id) {
        return of(id, "");
    }

    /** The Dockerfile the job was submitted with ({@link S3DockerfileStore}), where the build reads it. */
    public static String dockerfile(JobId id) {
        return of(id, "Dockerfile");
    }

    /** What {@link S3JobArtifactStore} keeps: the logs and the scan report a customer reads. */
    public static String artifactsPrefix(JobId id) {
        return of(id, "artifacts/");
    }
}
