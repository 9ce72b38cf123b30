package io.perfbox.testing.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.contract.ContainerRunnerContract;
import java.time.Duration;

class SimulatedContainerRunnerTest extends ContainerRunnerContract {
    private final SimulatedImageBuilder images = new SimulatedImageBuilder();
    private final InMemoryJobWorkspace workspace = new InMemoryJobWorkspace();
    private final SimulatedContainerRunner runner = new SimulatedContainerRunner(images, workspace);

    @Override
    protected ContainerRunner runner() {
        return runner;
    }

    @Override
    protected JobWorkspace workspace() {
        return workspace;
    }

    @Override
    protected String imageRunning(JobId id, String command) throws Exception {
        var built = images.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD " + command + "\n"),
                Duration.ofMinutes(1));
        assertThat(built).isInstanceOf(ImageBuilder.Built.class);
        return ((ImageBuilder.Built) built).imageRef();
    }

    @Override
    protected boolean stillRunning(JobId id) {
        return runner.running(id);
    }
}
