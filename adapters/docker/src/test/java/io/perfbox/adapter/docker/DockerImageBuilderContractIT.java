package io.perfbox.adapter.docker;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.contract.ImageBuilderContract;
import io.perfbox.testing.docker.RequiresDocker;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/** The classic builder, through the Engine API as {@code perfbox serve} reaches it, holds to the port's contract. */
@RequiresDocker
class DockerImageBuilderContractIT extends ImageBuilderContract {
    protected static final DockerCli DOCKER = new DockerCli("docker");
    protected final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private DockerImageBuilder builder;

    /** The builder under test (subclasses: the other builder). */
    protected DockerImageBuilder newBuilder() {
        return new DockerImageBuilder(DockerApiEngine.reachableThrough(DOCKER).orElseThrow(), store, 10L << 30);
    }

    @Override
    protected DockerImageBuilder builder() {
        if (builder == null) {
            builder = newBuilder();
        }
        return builder;
    }

    @Override
    protected boolean imageExists(JobId id) throws Exception {
        return DOCKER.quick("image", "inspect", builder().imageTag(id)).succeeded();
    }

    @AfterEach
    void removeWhatIsLeft() {
        new DockerJanitor(new DockerCliEngine(DOCKER), store).removeAll();
    }
}
