package io.perfbox.adapter.docker;

/**
 * Every name and label perfbox gives things in the Docker engine, in one place: the janitor finds leftovers by the
 * same labels the builder and the runner set.
 */
public final class DockerNames {
    /** On every image and container: which data dir's server made it. */
    public static final String STORE_LABEL = "io.perfbox.store";
    /** On every image and container: which job it belongs to. */
    public static final String JOB_LABEL = "io.perfbox.job";

    private DockerNames() {
    }

    /** A job image's tag from its secret-keyed name ({@link DockerImageBuilder#imageTag}), never from the bare job id. */
    public static String imageTag(String keyedName) {
        return "perfbox-job-" + keyedName + ":latest";
    }

    public static String containerName(String jobId) {
        return "perfbox-job-" + jobId;
    }
}
