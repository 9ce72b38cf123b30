package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every behaviour of the image builder, with the build sent through the Engine API instead of the CLI. */
@RequiresDocker
class DockerApiEngineBuildIT extends DockerImageBuilderIT {
    private static final DockerApiEngine ENGINE = DockerApiEngine.reachableThrough(DOCKER).orElseThrow();

    @Override
    protected DockerImageBuilder newBuilder(long maxImageBytes) {
        return new DockerImageBuilder(ENGINE, store, maxImageBytes);
    }

    @Test
    void aDockerfileTheBuilderCannotParseIsInvalidWithTheBuildersReason() throws Exception {
        var outcome = newBuilder().build(JobId.random(), "tenant-a", new Dockerfile("FROM debian:bookworm\nFOO bar\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                i -> assertThat(i.reason()).contains("unknown instruction").contains("FOO"));
    }

    @Test
    void theBuildLogShowsTheStepsAndTheirOutputAsTheCliWould() throws Exception {
        JobId id = JobId.random();
        DockerImageBuilder builder = newBuilder();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo from-the-step-" + id + "\n"),
                Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.Built.class);
        assertThat(outcome.log().text()).contains("Step 1/4 : FROM debian:bookworm").contains("from-the-step-" + id)
                .contains("Successfully tagged " + builder.imageTag(id));
        builder.remove(id);
    }

    @Test
    void aOneFileTarIsWhatTarItselfWouldRead() throws Exception {
        byte[] tar = EngineApiFormats.tarOfOne("Dockerfile", "FROM scratch\n".getBytes());
        Path file = Files.createTempFile("perfbox-tar", ".tar");
        Files.write(file, tar);
        Process p = new ProcessBuilder("tar", "-tvf", file.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(listing).isZero();
        assertThat(listing).contains("Dockerfile").contains(" 13 ");
        Files.delete(file);
    }
}
