package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@RequiresDocker
class DockerImageBuilderIT {
    protected static final DockerCli DOCKER = new DockerCli("docker");
    protected final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private final DockerImageBuilder builder = newBuilder();

    /** The builder under test, with a roomy size limit. */
    protected DockerImageBuilder newBuilder() {
        return newBuilder(10L << 30);
    }

    /** The builder under test; through the docker CLI here (subclasses: other engines). */
    protected DockerImageBuilder newBuilder(long maxImageBytes) {
        return new DockerImageBuilder(DOCKER, store, maxImageBytes);
    }

    private static String labelOf(String image, String label) throws InterruptedException {
        return DOCKER.quick("image", "inspect", "--format", "{{index .Config.Labels \"" + label + "\"}}", image).stdoutText().strip();
    }

    private static boolean imageExists(DockerImageBuilder b, JobId id) throws InterruptedException {
        return DOCKER.quick("image", "inspect", b.imageTag(id)).succeeded();
    }

    @Test
    void builtImageIsTaggedAndLabelledForItsJobAndRemovable() throws Exception {
        JobId id = JobId.random();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo building\nCMD true\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.Built.class);
        String image = ((ImageBuilder.Built) outcome).imageRef();
        assertThat(labelOf(image, DockerNames.JOB_LABEL)).isEqualTo(id.value());
        assertThat(labelOf(image, DockerNames.STORE_LABEL)).isEqualTo(store);
        assertThat(outcome.log().text()).contains("building");
        builder.remove(id);
        assertThat(imageExists(builder, id)).isFalse();
        builder.remove(id);
    }

    @Test
    void imageOverTheSizeLimitIsRemovedAndReportedWithItsSize() throws Exception {
        // The limit is below the base image's size, so nothing large needs writing.
        long limit = 20L << 20;
        DockerImageBuilder small = newBuilder(limit);
        JobId id = JobId.random();
        var outcome = small.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo building > /built\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.ImageTooLarge.class, t -> {
            assertThat(t.limitBytes()).isEqualTo(limit);
            assertThat(t.sizeBytes()).as("at least the base image").isGreaterThan(50L << 20);
        });
        assertThat(outcome.log().text()).contains("building");
        assertThat(imageExists(small, id)).as("removed at once").isFalse();
    }

    @Test
    void buildThatFailsAfterSomeStepsLeavesNoImageBehind() throws Exception {
        JobId id = JobId.random();
        String unique = UUID.randomUUID().toString();
        Set<String> before = allImageIds();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo " + unique + " > /a\n"
                + "RUN echo second > /b\nRUN exit 3\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.BuildFailed.class);
        assertThat(outcome.log().text()).contains(unique);
        // Other builds may run on this engine meanwhile (the launcher's test preparations build an image beside the
        // tests), so the check is that no image made since, intermediate ones included, holds a step of this build.
        Set<String> made = new HashSet<>(allImageIds());
        made.removeAll(before);
        for (String image : made) {
            var history = DOCKER.quick("history", "--no-trunc", "--format", "{{.CreatedBy}}", image);
            assertThat(history.succeeded() ? history.stdoutText() : "")
                    .as("image %s, made during the failed build", image).doesNotContain(unique);
        }
        assertThat(DOCKER.quick("image", "inspect", "debian:bookworm").succeeded()).as("the base image stays").isTrue();
    }

    /** Every image of the engine, the untagged intermediate ones of the classic builder included. */
    protected static Set<String> allImageIds() throws InterruptedException {
        return Set.copyOf(DOCKER.quick("images", "--all", "--quiet", "--no-trunc").stdoutText().lines().toList());
    }

    /** Whether any process of this machine (a build step's too, which no container listing shows) mentions text. */
    protected static boolean anyProcessMentions(String text) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false));
    }

    @Test
    void imageWithinTheLimitIsBuilt() throws Exception {
        DockerImageBuilder roomy = newBuilder(1L << 30);
        JobId id = JobId.random();
        try {
            assertThat(roomy.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD true\n"), Duration.ofMinutes(2)))
                    .isInstanceOf(ImageBuilder.Built.class);
        } finally {
            roomy.remove(id);
        }
    }

    @Test
    void aDockerfileEndingInALineContinuationIsLabelledToo() throws Exception {
        JobId id = JobId.random();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD echo hi \\\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.Built.class);
        String image = ((ImageBuilder.Built) outcome).imageRef();
        assertThat(labelOf(image, DockerNames.JOB_LABEL)).isEqualTo(id.value());
        assertThat(labelOf(image, DockerNames.STORE_LABEL)).isEqualTo(store);
        assertThat(DOCKER.quick("image", "inspect", "--format", "{{json .Config.Cmd}}", image).stdoutText())
                .isEqualTo("[\"/bin/sh\",\"-c\",\"echo hi\"]\n");
        builder.remove(id);
    }

    @Test
    void theLabelsGoOnTheLastStageOfAMultiStageBuild() throws Exception {
        JobId id = JobId.random();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm AS first\n"
                + "FROM first\nCMD true"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.Built.class);
        String image = ((ImageBuilder.Built) outcome).imageRef();
        assertThat(labelOf(image, DockerNames.JOB_LABEL)).isEqualTo(id.value());
        assertThat(labelOf(image, DockerNames.STORE_LABEL)).isEqualTo(store);
        builder.remove(id);
    }

    @Test
    void failingStepGivesAShortReason() throws Exception {
        JobId id = JobId.random();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN exit 3\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class,
                f -> assertThat(f.reason()).contains("3").hasSizeLessThan(600));
    }

    @Test
    void aClassicBuildFailingOnAContinuedLineNamesTheCustomersLineAndQuotesTheStepsOutput() throws Exception {
        String nonce = UUID.randomUUID().toString();
        var outcome = builder.build(JobId.random(), "tenant-a", new Dockerfile("FROM debian:bookworm\n# comment\n"
                + "RUN echo " + nonce + " && \\\n    exit 3\nCMD true\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class, f -> {
            assertThat(f.reason()).isEqualTo("line 3: RUN echo " + nonce + " && exit 3: exit code: 3");
            assertThat(f.step().line()).isEqualTo(3);
            assertThat(f.step().lastOutput()).containsExactly(nonce);
        });
    }

    @Test
    void aClassicCopyOfAMissingFileSaysTheDockerfileIsTheWholeBuildContext() throws Exception {
        var outcome = builder.build(JobId.random(), "tenant-a", new Dockerfile("FROM debian:bookworm\nCOPY pom.xml /\n"),
                Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.BuildFailed.class, f -> assertThat(f.reason())
                .startsWith("line 2: COPY pom.xml /: ").contains("the Dockerfile is the whole build context"));
    }

    @Test
    void theDockerfileIsTheWholeContext() throws Exception {
        var outcome = builder.build(JobId.random(), "tenant-a", new Dockerfile("FROM debian:bookworm\nCOPY pom.xml /\n"), Duration.ofMinutes(2));
        assertThat(outcome).isInstanceOf(ImageBuilder.BuildFailed.class);
    }

    @Test
    void buildPastItsTimeoutStopsAndLeavesNothingRunning() throws Exception {
        JobId id = JobId.random();
        long start = System.nanoTime();
        var outcome = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo marker-" + id + " && sleep 600\n"),
                Duration.ofSeconds(4));
        assertThat(outcome).isInstanceOf(ImageBuilder.BuildTimedOut.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        Thread.sleep(2000);
        assertThat(DOCKER.quick("ps", "-a", "--no-trunc", "--format", "{{.Command}}").stdoutText()).doesNotContain("marker-" + id);
        assertThat(anyProcessMentions("marker-" + id)).as("a process of the build step").isFalse();
    }

    @Test
    void interruptStopsTheBuild() throws Exception {
        JobId id = JobId.random();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo marker-" + id + " && sleep 600\n"), Duration.ofMinutes(5));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(4000);
        t.interrupt();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        Thread.sleep(2000);
        assertThat(DOCKER.quick("ps", "-a", "--no-trunc", "--format", "{{.Command}}").stdoutText()).doesNotContain("marker-" + id);
        assertThat(anyProcessMentions("marker-" + id)).as("a process of the build step").isFalse();
    }

    @Test
    void aJobsImageHasAnUnguessableTagAndNoOtherBuildMayStartFromIt() throws Exception {
        JobId victim = JobId.random();
        var built = builder.build(victim, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN echo secret-of-a > /s\n"),
                Duration.ofMinutes(2));
        assertThat(built).isInstanceOf(ImageBuilder.Built.class);
        String image = ((ImageBuilder.Built) built).imageRef();
        try {
            assertThat(image).doesNotContain(victim.value());
            for (String from : List.of("FROM " + image, "FROM perfbox-job-" + victim.value(),
                    "FROM debian:bookworm\nCOPY --from=" + image + " /s /stolen")) {
                var outcome = builder.build(JobId.random(), "tenant-b", new Dockerfile(from + "\nCMD cat /s\n"), Duration.ofMinutes(2));
                assertThat(outcome).as(from).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                        i -> assertThat(i.reason()).containsAnyOf("job images never serve as bases", "not an image in this server's engine"));
            }
        } finally {
            builder.remove(victim);
        }
    }

    @Test
    void noInstructionMakesTheEngineFetchFromTheHostsLoopback() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        Thread accepting;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            accepting = Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\nthe host's secret\n".getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            int port = listener.getLocalPort();
            for (String dockerfile : List.of(
                    "FROM debian:bookworm\nADD http://127.0.0.1:" + port + "/secret /secret\n",
                    "FROM debian:bookworm\nADD [\"http://localhost:" + port + "/secret\", \"/secret\"]\n",
                    "FROM 127.0.0.1:" + port + "/base:1\n",
                    "FROM debian:bookworm\nCOPY --from=127.0.0.1:" + port + "/base:1 / /b\n",
                    "FROM debian:bookworm\nRUN --mount=type=bind,from=localhost:" + port + "/x,target=/x true\n")) {
                var outcome = builder.build(JobId.random(), "tenant-a", new Dockerfile(dockerfile), Duration.ofMinutes(2));
                assertThat(outcome).as(dockerfile).isInstanceOf(ImageBuilder.InvalidDockerfile.class);
                assertThat(outcome.log().text()).doesNotContain("the host's secret");
            }
            Thread.sleep(500);
        }
        accepting.join(5000);
        assertThat(connections.get()).as("connections the engine made to the host's loopback").isZero();
    }
}
