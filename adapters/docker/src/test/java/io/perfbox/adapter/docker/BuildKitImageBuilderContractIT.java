package io.perfbox.adapter.docker;

import io.perfbox.testing.docker.RequiresDocker;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/** The BuildKit builder ({@code --builder auto} where a CLI can drive it) holds to the port's contract. */
@RequiresDocker
class BuildKitImageBuilderContractIT extends DockerImageBuilderContractIT {
    private static final byte[] SECRET = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    private static BuildKitCli cli;

    @BeforeAll
    static void findBuildKit() throws Exception {
        cli = BuildKitCli.find(DOCKER).orElseThrow(() -> new AssertionError("no docker CLI here builds with BuildKit"));
    }

    @Override
    protected DockerImageBuilder newBuilder() {
        return new DockerImageBuilder(DOCKER, store, 10L << 30).withCacheSecret(SECRET).withBuildKit(cli, null);
    }
}
