package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.contract.ContainerRunnerContract;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner, through the Engine API as {@code perfbox serve} reaches it and with the host's loop-mounted workspaces
 * at /data, holds to the port's contract.
 */
@RequiresDocker
class DockerContainerRunnerContractIT extends ContainerRunnerContract {
    private static final DockerCli DOCKER = new DockerCli("docker");
    private final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private final DockerImageBuilder builder = new DockerImageBuilder(DOCKER, store, 10L << 30);
    @TempDir
    Path tmp;
    private HostJobWorkspace workspace;
    private DockerContainerRunner runner;

    @Override
    protected HostJobWorkspace workspace() {
        if (workspace == null) {
            workspace = new HostJobWorkspace(tmp.resolve("ws"), ContainerRunner.RunLimits.DEFAULT_DATA_BYTES);
        }
        return workspace;
    }

    @Override
    protected ContainerRunner runner() {
        if (runner == null) {
            HostJobWorkspace ws = workspace();
            runner = new DockerContainerRunner(DockerApiEngine.reachableThrough(DOCKER).orElseThrow(), store,
                    ws::directoryOf, ws::full, Optional.empty());
        }
        return runner;
    }

    @Override
    protected String imageRunning(JobId id, String command) throws Exception {
        var built = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD " + command + "\n"),
                Duration.ofMinutes(2));
        assertThat(built).as(built.log().text()).isInstanceOf(ImageBuilder.Built.class);
        return ((ImageBuilder.Built) built).imageRef();
    }

    @Override
    protected boolean stillRunning(JobId id) throws Exception {
        return !DOCKER.quick("ps", "-q", "--filter", "label=" + DockerNames.JOB_LABEL + "=" + id).stdoutText().isBlank();
    }

    @AfterEach
    void removeWhatIsLeft() {
        new DockerJanitor(new DockerCliEngine(DOCKER), store).removeAll();
        workspace().removeLeftovers();
    }
}
