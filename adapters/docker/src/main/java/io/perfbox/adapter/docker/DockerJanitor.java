package io.perfbox.adapter.docker;

import io.perfbox.adapter.process.ProcessRunner;
import java.util.List;

/** After a crash: removes every container and image a server of this data dir left behind. */
public class DockerJanitor {
    private final DockerCli docker;
    private final String storeId;

    public DockerJanitor(DockerCli docker, String storeId) {
        this.docker = docker;
        this.storeId = storeId;
    }

    public record Removed(int containers, int images) {
        @Override
        public String toString() {
            return containers + " leftover container(s) and " + images + " image(s)";
        }
    }

    public Removed removeAll() {
        String filter = "label=" + DockerCli.STORE_LABEL + "=" + storeId;
        List<String> containers = ids("ps", "-a", "-q", "--filter", filter);
        for (String c : containers) {
            docker.quickUninterruptibly("rm", "-f", c);
        }
        List<String> images = ids("images", "-q", "--filter", filter);
        for (String i : images) {
            docker.quickUninterruptibly("image", "rm", "-f", i);
        }
        return new Removed(containers.size(), images.size());
    }

    private List<String> ids(String... args) {
        ProcessRunner.Result r = docker.quickUninterruptibly(args);
        if (r == null || !r.succeeded()) {
            return List.of();
        }
        return r.stdoutText().lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }
}
