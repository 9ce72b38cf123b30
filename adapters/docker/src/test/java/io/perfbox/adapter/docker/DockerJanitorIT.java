package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.docker.RequiresDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The janitor's removal of one job's images (the retention's): this store's image of that job only. */
@RequiresDocker
class DockerJanitorIT {
    private static final DockerCli DOCKER = new DockerCli("docker");
    private static final DockerApiEngine ENGINE = DockerApiEngine.reachableThrough(DOCKER).orElseThrow(
            () -> new IllegalStateException("the docker CLI reaches no engine over a unix socket"));

    private final List<String> tags = new ArrayList<>();

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    private String image(String store, String job) throws Exception {
        String container = docker("create", "debian:bookworm", "true");
        String tag = "perfbox-janitor-it-" + UUID.randomUUID() + ":latest";
        try {
            docker("commit", "--change", "LABEL " + DockerNames.STORE_LABEL + "=" + store,
                    "--change", "LABEL " + DockerNames.JOB_LABEL + "=" + job, container, tag);
        } finally {
            docker("rm", "-f", container);
        }
        tags.add(tag);
        return tag;
    }

    @AfterEach
    void clean() throws Exception {
        for (String tag : tags) {
            new ProcessBuilder("docker", "rmi", "-f", tag).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static boolean exists(String tag) throws Exception {
        Process p = new ProcessBuilder("docker", "image", "inspect", tag).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return p.exitValue() == 0;
    }

    @Test
    void removeJobRemovesThisStoresImageOfThatJobAndNoOtherStoresNorOtherJobs() throws Exception {
        String store = "st" + UUID.randomUUID().toString().substring(0, 10);
        String other = "ot" + UUID.randomUUID().toString().substring(0, 10);
        String job = UUID.randomUUID().toString();
        String ours = image(store, job);
        String anotherStores = image(other, job);
        String anotherJob = image(store, UUID.randomUUID().toString());

        DockerJanitor.Removed removed = new DockerJanitor(ENGINE, store).removeJob(job);

        assertThat(removed.images()).isEqualTo(1);
        assertThat(exists(ours)).isFalse();
        assertThat(exists(anotherStores)).as("another data dir's server's image").isTrue();
        assertThat(exists(anotherJob)).isTrue();
        assertThat(new DockerJanitor(ENGINE, store).removeJob(UUID.randomUUID().toString()).images()).isZero();
    }
}
