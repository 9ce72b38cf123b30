package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class DockerCliTest {
    /** What Docker 20.10 prints for {@code docker info --format '{{json .Runtimes}}'} with runsc registered. */
    private static final String RUNTIMES = "{\"io.containerd.runc.v2\":{\"path\":\"runc\"},\"runc\":{\"path\":\"runc\"},"
            + "\"runsc\":{\"path\":\"/usr/local/bin/runsc\",\"runtimeArgs\":[\"--platform=systrap\"]}}\n";

    @Test
    void theEnginesRuntimesAreTheKeysOfDockerInfosRuntimes() {
        assertThat(DockerCli.runtimeNames(RUNTIMES)).containsExactly("io.containerd.runc.v2", "runc", "runsc");
        assertThatThrownBy(() -> DockerCli.runtimeNames("null")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DockerCli.runtimeNames("<no value>")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRuntimeTheEngineDoesNotKnowIsRefusedSayingWhatItHasAndWhatToDo() {
        Set<String> known = DockerCli.runtimeNames(RUNTIMES);
        assertThatCode(() -> DockerCli.requireRuntime("runsc", known)).doesNotThrowAnyException();
        assertThatThrownBy(() -> DockerCli.requireRuntime("kata", known))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--runtime kata")
                .hasMessageContaining("has no runtime of that name")
                .hasMessageContaining("io.containerd.runc.v2, runc, runsc")
                .hasMessageContaining("/etc/docker/daemon.json");
    }
}
