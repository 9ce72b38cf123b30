package io.perfbox.adapter.docker;

import java.util.List;

/**
 * After a crash, and at shutdown: removes every container and image a server of this data dir left behind, found by
 * the store label every job's container and image carry ({@link DockerNames}). Goes through the same engine as the
 * jobs do.
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

    public Removed removeAll() {
        List<String> containers = engine.containersLabelled(DockerNames.STORE_LABEL, storeId);
        containers.forEach(engine::removeContainer);
        List<String> images = engine.imagesLabelled(DockerNames.STORE_LABEL, storeId);
        images.forEach(engine::removeImage);
        return new Removed(containers.size(), images.size());
    }
}
