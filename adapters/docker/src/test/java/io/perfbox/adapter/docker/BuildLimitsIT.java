package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Builds' RUN steps are held by the build's limits, on both builders (the classic one through the CLI and through the
 * Engine API; BuildKit through Debian's docker CLI with DOCKER_BUILDKIT=1): a step
 * that wants more memory or processes than the build may have fails, and the build ends BUILD_FAILED naming the limit.
 * (Unbounded before: a step held 600 MiB and 155 processes while runs were capped at 256 MiB and 64.)
 */
@RequiresDocker
class BuildLimitsIT {
    private static final DockerCli DOCKER = new DockerCli("docker");
    private static final DockerImageBuilder.BuildLimits LIMITS =
            new DockerImageBuilder.BuildLimits(128L * 1024 * 1024, 1.0, 32);
    private final String store = "it" + UUID.randomUUID().toString().substring(0, 8);

    private DockerImageBuilder builder(String engine) throws InterruptedException {
        if (engine.equals("buildkit")) {
            BuildKitCli cli = BuildKitCli.find(DOCKER).orElseThrow(() -> new AssertionError("no CLI here builds with BuildKit"));
            return new DockerImageBuilder(DOCKER, store, 10L << 30).withBuildKit(cli, null).withLimits(LIMITS);
        }
        DockerEngine e = engine.equals("api") ? DockerApiEngine.reachableThrough(DOCKER).orElseThrow()
                : new DockerCliEngine(DOCKER);
        return new DockerImageBuilder(e, store, 10L << 30).withLimits(LIMITS);
    }

    @AfterEach
    void cleanUp() {
        new DockerJanitor(new DockerCliEngine(DOCKER), store).removeAll();
    }

    private ImageBuilder.BuildOutcome build(String engine, String run) throws Exception {
        JobId id = JobId.random();
        var outcome = builder(engine).build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo " + UUID.randomUUID() + "; " + run + "\n"),
                Duration.ofMinutes(3));
        assertThat(Files.exists(BuildCgroup.ROOT.resolve("memory/perfbox-build").resolve(id.value())))
                .as("the build's cgroup is removed").isFalse();
        return outcome;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cli", "api", "buildkit"})
    void aStepThatWantsMoreMemoryThanTheBuildMayHaveEndsTheBuildNamingTheLimit(String engine) throws Exception {
        // 600 MB held in memory by one process (tail keeps a line without newline whole).
        var outcome = build(engine, "head -c 600000000 /dev/zero | tail -c 600000000 > /dev/null");
        assertThat(outcome).as(outcome.toString()).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class,
                f -> assertThat(f.reason()).contains("memory limit").contains("128 MiB"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cli", "api", "buildkit"})
    void aStepThatForksPastTheBuildsProcessLimitEndsTheBuildNamingTheLimit(String engine) throws Exception {
        var outcome = build(engine, "for i in $(seq 1 155); do sleep 5 & done; wait");
        assertThat(outcome).as(outcome.toString()).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class,
                f -> assertThat(f.reason()).contains("process limit").contains("32"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cli", "api", "buildkit"})
    void aStepWithinTheLimitsBuilds(String engine) throws Exception {
        var outcome = build(engine, "for i in $(seq 1 10); do sleep 1 & done; wait; head -c 50000000 /dev/zero | tail -c 50000000 > /dev/null");
        assertThat(outcome).as(outcome.toString()).isInstanceOf(ImageBuilder.Built.class);
    }
}
