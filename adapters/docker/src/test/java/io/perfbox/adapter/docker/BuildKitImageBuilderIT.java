package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every behaviour of the image builder with BuildKit, and what BuildKit adds: a build cache that a tenant's next
 * build reuses, that no other tenant's build touches (steps and cache mounts alike), that outlives the builder
 * (a restart, with the store's secret) and that is pruned least recently used first.
 */
@RequiresDocker
class BuildKitImageBuilderIT extends DockerImageBuilderIT {
    private static BuildKitCli cli;
    private static final byte[] SECRET = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void findBuildKit() throws Exception {
        cli = BuildKitCli.find(DOCKER).orElseThrow(() -> new AssertionError("no docker CLI here builds with BuildKit"));
    }

    @Override
    protected DockerImageBuilder newBuilder(long maxImageBytes) {
        return new DockerImageBuilder(DOCKER, store, maxImageBytes).withCacheSecret(SECRET).withBuildKit(cli, null);
    }

    private ImageBuilder.Built built(DockerImageBuilder b, String tenant, String dockerfile) throws Exception {
        JobId id = JobId.random();
        var outcome = b.build(id, tenant, new Dockerfile(dockerfile), Duration.ofMinutes(3));
        assertThat(outcome).as(outcome.log().text()).isInstanceOf(ImageBuilder.Built.class);
        return (ImageBuilder.Built) outcome;
    }

    private static String fileIn(String image, String path) throws InterruptedException {
        var r = DOCKER.quick("run", "--rm", "--network", "none", image, "cat", path);
        assertThat(r.succeeded()).as(r.errorText()).isTrue();
        return r.stdoutText().strip();
    }

    /** A RUN step whose output differs every time it really runs: the same value twice means the cache answered. */
    private static String stampingDockerfile(String unique) {
        return "FROM debian:bookworm\nRUN echo " + unique + "-$(cat /proc/sys/kernel/random/uuid) > /stamp\nCMD true\n";
    }

    @Test
    void aTenantsResubmissionReusesItsOwnCachedSteps() throws Exception {
        DockerImageBuilder b = newBuilder();
        String dockerfile = stampingDockerfile(UUID.randomUUID().toString());
        var first = built(b, "tenant-a", dockerfile);
        var again = built(b, "tenant-a", dockerfile + "LABEL changed=last-line\n");
        assertThat(fileIn(again.imageRef(), "/stamp")).isEqualTo(fileIn(first.imageRef(), "/stamp"));
    }

    @Test
    void anotherTenantsIdenticalDockerfileBuildsFromScratch() throws Exception {
        DockerImageBuilder b = newBuilder();
        String dockerfile = stampingDockerfile(UUID.randomUUID().toString());
        var mine = built(b, "tenant-a", dockerfile);
        var theirs = built(b, "tenant-b", dockerfile);
        assertThat(fileIn(theirs.imageRef(), "/stamp")).isNotEqualTo(fileIn(mine.imageRef(), "/stamp"));
    }

    @Test
    void cacheMountsAreTheTenantsOwn() throws Exception {
        DockerImageBuilder b = newBuilder();
        String marker = UUID.randomUUID().toString();
        String write = "FROM debian:bookworm\nRUN --mount=type=cache,target=/cache echo " + marker + " > /cache/left\n";
        // Reads the cache mount into the image; the random RUN line defeats the step cache itself.
        String read = "FROM debian:bookworm\nRUN --mount=type=cache,target=/cache,id=/cache "
                + "cat /cache/left > /seen 2>/dev/null || echo nothing > /seen # " + UUID.randomUUID() + "\n";
        built(b, "tenant-a", write);
        assertThat(fileIn(built(b, "tenant-a", read).imageRef(), "/seen")).isEqualTo(marker);
        assertThat(fileIn(built(b, "tenant-b", read).imageRef(), "/seen")).isEqualTo("nothing");
    }

    @Test
    void theCacheOutlivesTheBuilderWhenTheStoreKeepsItsSecret() throws Exception {
        String dockerfile = stampingDockerfile(UUID.randomUUID().toString());
        var before = built(newBuilder(), "tenant-a", dockerfile);
        // A new server on the same data dir: a new builder, the same secret.
        var after = built(newBuilder(), "tenant-a", dockerfile);
        assertThat(fileIn(after.imageRef(), "/stamp")).isEqualTo(fileIn(before.imageRef(), "/stamp"));
        DockerImageBuilder otherStore = new DockerImageBuilder(DOCKER, store, 10L << 30).withBuildKit(cli, null);
        assertThat(fileIn(built(otherStore, "tenant-a", dockerfile).imageRef(), "/stamp"))
                .as("another store's secret: another cache").isNotEqualTo(fileIn(before.imageRef(), "/stamp"));
    }

    @Test
    void pruningKeepsTheMostRecentlyUsedStepsWithinTheSize() throws Exception {
        DockerImageBuilder b = newBuilder();
        String unique = UUID.randomUUID().toString();
        // Two ~20 MB steps; the images go (as a finished job's do), so only the cache holds their layers.
        String older = "FROM debian:bookworm\nRUN head -c 20000000 /dev/urandom > /older && echo " + unique + "-old\n";
        String recent = "FROM debian:bookworm\nRUN head -c 20000000 /dev/urandom > /recent && echo " + unique + "-new\n";
        JobId a = JobId.random();
        JobId r = JobId.random();
        assertThat(b.build(a, "tenant-a", new Dockerfile(older), Duration.ofMinutes(3))).isInstanceOf(ImageBuilder.Built.class);
        String olderLayer = fileSum(b.imageTag(a), "/older");
        b.remove(a);
        assertThat(b.build(r, "tenant-a", new Dockerfile(recent), Duration.ofMinutes(3))).isInstanceOf(ImageBuilder.Built.class);
        String recentLayer = fileSum(b.imageTag(r), "/recent");
        b.remove(r);

        assertThat(new BuildCachePruner(cli, 30_000_000L).pruneNow()).isTrue();

        var recentAgain = built(b, "tenant-a", recent);
        assertThat(fileSum(recentAgain.imageRef(), "/recent")).as("the recently used step stays cached").isEqualTo(recentLayer);
        var olderAgain = built(b, "tenant-a", older);
        assertThat(fileSum(olderAgain.imageRef(), "/older")).as("the least recently used step was pruned").isNotEqualTo(olderLayer);
    }

    private static String fileSum(String image, String path) throws InterruptedException {
        var r = DOCKER.quick("run", "--rm", "--network", "none", image, "md5sum", path);
        assertThat(r.succeeded()).as(r.errorText()).isTrue();
        return r.stdoutText().strip();
    }

    @Test
    void aParseErrorNamesTheCustomersOwnLine() throws Exception {
        var outcome = newBuilder().build(JobId.random(), "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN true\nFOO bar\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                i -> assertThat(i.reason()).contains("line 3").contains("FOO"));
    }

    @Test
    void aFailingStepGivesTheExecutorsReason() throws Exception {
        var outcome = newBuilder().build(JobId.random(), "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN echo about to fail; exit 7\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class,
                f -> assertThat(f.reason()).contains("exit code: 7"));
    }

    @Test
    void bindAndTmpfsMountsWork() throws Exception {
        var image = built(newBuilder(), "tenant-a", "FROM debian:bookworm AS src\nRUN echo from-src > /f\n"
                + "FROM debian:bookworm\nRUN --mount=type=tmpfs,target=/t --mount=type=bind,from=src,target=/s "
                + "cp /s/f /got && touch /t/scratch\n").imageRef();
        assertThat(fileIn(image, "/got")).isEqualTo("from-src");
    }

    @Test
    void heredocsAreBeyondThisEnginesFrontendAndSaySoAtTheCustomersLine() throws Exception {
        var outcome = newBuilder().build(JobId.random(), "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN <<EOF\necho hi\nEOF\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                i -> assertThat(i.reason()).contains("line 3"));
    }

    @Test
    void aQuotedMountIsRefusedBeforeAnythingBuilds() throws Exception {
        var outcome = newBuilder().build(JobId.random(), "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN --mount=\"type=cache,target=/c\" true\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                i -> assertThat(i.reason()).contains("without quotes"));
    }
}
