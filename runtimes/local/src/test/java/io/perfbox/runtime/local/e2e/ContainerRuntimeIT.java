package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code perfbox serve --runtime NAME}: jobs' containers run under the engine's runtime of that name, or serve refuses. */
@RequiresDocker
class ContainerRuntimeIT {

    private static Path dataDir(String name) {
        return Path.of("target", "e2e", name + "-" + UUID.randomUUID()).toAbsolutePath();
    }

    @Test
    void aRuntimeTheEngineDoesNotKnowStopsServeBeforeItListensSayingWhatToDo() {
        Path dataDir = dataDir("no-runtime");
        assertThatThrownBy(() -> PerfboxProcess.start(dataDir, RealTrivy.with("--runtime", "perfbox-no-such-runtime")))
                .hasMessageContaining("exited before listening")
                .hasMessageContaining("--runtime perfbox-no-such-runtime: the Docker engine has no runtime of that name")
                .hasMessageContaining("runc")
                .hasMessageContaining("/etc/docker/daemon.json");
    }

    @Test
    void aJobsContainerRunsUnderTheRuntimeNamed() throws Exception {
        Path dataDir = dataDir("runtime");
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--runtime", "runc"))) {
            Http http = new Http(server.baseUrl());
            String id = http.submit("FROM debian:bookworm\nCMD sleep 3; echo '{\"perf\":0.25}' > /data/perf.json\n");
            String runtime = "";
            for (int i = 0; i < 400 && runtime.isEmpty(); i++) {
                List<String> running = Docker.runningContainersOf(id);
                if (!running.isEmpty()) {
                    runtime = Docker.run("inspect", "--format", "{{.HostConfig.Runtime}}", running.get(0));
                }
                Thread.sleep(100);
            }
            assertThat(runtime).isEqualTo("runc");
            JsonNode job = http.awaitEnd(id, Duration.ofMinutes(3));
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("performance").asDouble()).isEqualTo(0.25);
            assertThat(Files.readString(dataDir.resolveSibling(dataDir.getFileName() + "-server.log")))
                    .contains("jobs run under the container runtime runc");
        }
    }
}
