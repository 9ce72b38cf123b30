package io.perfbox.aws.s3;

import io.perfbox.core.domain.JobId;

/**
 * Where a job's objects live in the artifact bucket (the layout of the AWS design). Everything of a job is under
 * {@code jobs/<id>/}, so one prefix removes it all; the trailing slash keeps one job's prefix from matching another's.
 */
public final class ArtifactKeys {
    private ArtifactKeys() {
    }

    /** Every object of the job, whoever wrote it. */
    public static String jobPrefix(JobId id) {
        return "jobs/" + id.value() + "/";
    }

    /** The Dockerfile the job was submitted with ({@link S3DockerfileStore}). */
    public static String dockerfile(JobId id) {
        return jobPrefix(id) + "Dockerfile";
    }

    /** Written by CodeBuild: docker build and scan output. */
    public static String buildLog(JobId id) {
        return jobPrefix(id) + "build.log";
    }

    /** Written by CodeBuild last, always: the build's outcome as JSON. */
    public static String buildOutcome(JobId id) {
        return jobPrefix(id) + "build-outcome.json";
    }

    /** Written by CodeBuild when the scan ran: Trivy's JSON report. */
    public static String trivyReport(JobId id) {
        return jobPrefix(id) + "trivy-report.json";
    }

    /** What {@link S3JobArtifactStore} keeps: logs and the scan report a customer reads. */
    public static String artifactsPrefix(JobId id) {
        return jobPrefix(id) + "artifacts/";
    }
}
