package io.perfbox.adapter.docker;

import java.util.List;

/**
 * After a crash, and at shutdown: removes every container and image a server of this data dir left behind, found by
 * the store label every job's container and image carry ({@link DockerNames}); and, for the retention, those of one
 * job. Goes through the same engine as the jobs do.
 */
public class DockerJanitor {
    private final DockerEngine engine;
    private final String storeId;

    public DockerJanitor(DockerEngine engine, String storeId) {
        this.engine = engine;
        this.storeId = storeId;
    }

    public record Removed(int containers, int images) {
        @Override
        public String toString() {
            return containers + " leftover container(s) and " + images + " image(s)";
        }
    }

    /**
     * The containers and images of one job of this data dir's server (both labels), e.g. what a job that ended long
     * ago still holds when its own clean-up failed; another store's are never touched.
     */
    public Removed removeJob(String jobId) {
        // The job's label first: usually nothing carries it, and then the store's lists are not read at all.
        List<String> containers = engine.containersLabelled(DockerNames.JOB_LABEL, jobId);
        if (!containers.isEmpty()) {
            List<String> ours = engine.containersLabelled(DockerNames.STORE_LABEL, storeId);
            containers = containers.stream().filter(ours::contains).toList();
            containers.forEach(engine::removeContainer);
        }
        List<String> images = engine.imagesLabelled(DockerNames.JOB_LABEL, jobId);
        if (!images.isEmpty()) {
            List<String> ours = engine.imagesLabelled(DockerNames.STORE_LABEL, storeId);
            images = images.stream().filter(ours::contains).toList();
            images.forEach(engine::removeImage);
        }
        return new Removed(containers.size(), images.size());
    }

    public Removed removeAll() {
        List<String> containers = engine.containersLabelled(DockerNames.STORE_LABEL, storeId);
        containers.forEach(engine::removeContainer);
        List<String> images = engine.imagesLabelled(DockerNames.STORE_LABEL, storeId);
        images.forEach(engine::removeImage);
        return new Removed(containers.size(), images.size());
    }
}
