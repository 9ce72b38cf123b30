package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every behaviour of the container runner, with the Engine API over the socket instead of the CLI; and how it is found. */
@RequiresDocker
class DockerApiEngineIT extends DockerContainerRunnerIT {
    private static final DockerApiEngine ENGINE = DockerApiEngine.reachableThrough(DOCKER).orElseThrow(
            () -> new AssertionError("the docker CLI here reaches its engine through a unix socket, which must be used"));

    @Override
    protected DockerContainerRunner runner(HostJobWorkspace workspace, Optional<String> runtime) {
        return new DockerContainerRunner(ENGINE, store, workspace::directoryOf, workspace::full, runtime);
    }

    @Test
    void theEngineIsTheOneTheCliTalksTo() throws Exception {
        String viaCli = DOCKER.quick("version", "--format", "{{.Server.Version}}").stdoutText().strip();
        var version = new DockerSocketClient(ENGINE.socket())
                .send("GET", "/version", null, Duration.ofSeconds(10));
        assertThat(version.ok()).isTrue();
        assertThat(version.json().get("Version").asText()).isEqualTo(viaCli);
    }

    @Test
    void aCliReachingItsEngineAnotherWayKeepsTheCli(@TempDir Path dir) throws Exception {
        Path cli = dir.resolve("docker-over-tcp");
        Files.writeString(cli, "#!/bin/sh\nDOCKER_HOST=tcp://127.0.0.1:9 exec docker \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        assertThat(DockerApiEngine.reachableThrough(new DockerCli(cli.toString()))).isEmpty();
    }

    @Test
    void aJobsImageIsRemovedThroughTheApi() throws Exception {
        DockerImageBuilder builder = new DockerImageBuilder(ENGINE, store, 10L << 30);
        JobId id = JobId.random();
        var built = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD true\n"), Duration.ofMinutes(2));
        assertThat(built).isInstanceOf(ImageBuilder.Built.class);
        assertThat(DOCKER.quick("image", "inspect", builder.imageTag(id)).succeeded()).isTrue();
        builder.remove(id);
        assertThat(DOCKER.quick("image", "inspect", builder.imageTag(id)).succeeded()).isFalse();
        builder.remove(id);
    }

    @Test
    void aStartTheEngineRefusesSaysWhy() throws Exception {
        var spec = new DockerEngine.ContainerSpec("perfbox-no-such-image:latest", Map.of(DockerNames.STORE_LABEL, store),
                new ContainerRunner.RunLimits(64L * 1024 * 1024, 1.0, 64, Duration.ofSeconds(5)),
                Files.createTempDirectory("perfbox-api-it"));
        assertThat(ENGINE.createAndStart("perfbox-it-" + store, spec, Duration.ofSeconds(30))).hasValueSatisfying(
                reason -> assertThat(reason).containsIgnoringCase("no such image"));
    }
}
