package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A job's number does not depend on its neighbours' CPU use: each run holds CPUs of its own while it lasts, and build
 * steps keep off them (moved off within a poll when a run takes them during the step). Checked from inside the
 * containers, by the CPUs the kernel lets their processes run on (/proc/self/status's Cpus_allowed_list). Before,
 * runs and steps could all run on every CPU (a CPU hog beside a run cost it 15 %, builds beside it up to 2.7×).
 */
@RequiresDocker
class CpuPinningIT {
    private static final DockerCli DOCKER = new DockerCli("docker");
    private static final RunLimits LIMITS = new RunLimits(64L * 1024 * 1024, 1.0, 64, Duration.ofSeconds(30));
    private static final DockerImageBuilder.BuildLimits BUILD_LIMITS =
            new DockerImageBuilder.BuildLimits(256L * 1024 * 1024, 1.0, 64);
    private static final String ALLOWED = "grep Cpus_allowed_list /proc/self/status";
    private final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private final List<HostJobWorkspace> workspaces = new ArrayList<>();
    private CpuPool pool;
    @TempDir
    Path tmp;

    @BeforeEach
    void twoCpusAtLeast() {
        pool = CpuPool.ofHost().orElseThrow(() -> new AssertionError("this host names no CPUs for containers"));
        assertThat(pool.size()).as("these tests need two CPUs").isGreaterThanOrEqualTo(2);
    }

    @AfterEach
    void cleanUp() {
        new DockerJanitor(new DockerCliEngine(DOCKER), store).removeAll();
        workspaces.forEach(HostJobWorkspace::removeLeftovers);
    }

    private DockerEngine engine(String kind) {
        return kind.equals("api") ? DockerApiEngine.reachableThrough(DOCKER).orElseThrow() : new DockerCliEngine(DOCKER);
    }

    private String image(JobId id, String dockerfile, DockerImageBuilder builder) throws Exception {
        var built = builder.build(id, "tenant-a", new Dockerfile(dockerfile), Duration.ofMinutes(3));
        assertThat(built).as(built.toString()).isInstanceOf(ImageBuilder.Built.class);
        return ((ImageBuilder.Built) built).imageRef();
    }

    private static String allowedIn(String log) {
        return log.lines().filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no Cpus_allowed_list in: " + log));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cli", "api"})
    void runsAtTheSameTimeEachRunOnCpusOfTheirOwnAndTheReceiptNamesThem(String kind) throws Exception {
        DockerEngine engine = engine(kind);
        HostJobWorkspace ws = new HostJobWorkspace(tmp.resolve("ws"), RunLimits.DEFAULT_DATA_BYTES);
        workspaces.add(ws);
        var runner = new DockerContainerRunner(engine, store, ws::directoryOf, ws::full, Optional.empty(), Optional.of(pool));
        JobId a = JobId.random();
        JobId b = JobId.random();
        // Both alive together for a while: the second starts while the first still holds its CPU.
        String image = image(a, "FROM debian:bookworm\nCMD sleep 3; " + ALLOWED + "\n", new DockerImageBuilder(engine, store, 10L << 30));
        ws.prepare(a);
        ws.prepare(b);
        var pool2 = Executors.newFixedThreadPool(2);
        try {
            var ra = CompletableFuture.supplyAsync(() -> run(runner, a, image), pool2);
            var rb = CompletableFuture.supplyAsync(() -> run(runner, b, image), pool2);
            String ca = allowedIn(ra.get(2, TimeUnit.MINUTES).log().text());
            String cb = allowedIn(rb.get(2, TimeUnit.MINUTES).log().text());

            assertThat(CpuPool.parse(ca).cardinality()).as(ca).isEqualTo(1);
            assertThat(CpuPool.parse(cb).cardinality()).as(cb).isEqualTo(1);
            assertThat(ca).as("two runs at once share no CPU").isNotEqualTo(cb);
            assertThat(runner.conditions(a, LIMITS).cpuset()).isEqualTo(ca);
            assertThat(runner.conditions(b, LIMITS).cpuset()).isEqualTo(cb);
            assertThat(pool.unheld()).as("both gave their CPUs back").isEqualTo(pool.cpus());
        } finally {
            pool2.shutdownNow();
        }
    }

    private static ContainerRunner.RunOutcome run(DockerContainerRunner runner, JobId id, String image) {
        try {
            var outcome = runner.run(id, image, LIMITS);
            assertThat(outcome).as(outcome.toString()).isInstanceOf(ContainerRunner.Exited.class);
            return outcome;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBuildKitStepKeepsOffTheCpusARunHoldsAndGetsThemBackWhenTheRunEnds() throws Exception {
        BuildKitCli cli = BuildKitCli.find(DOCKER).orElseThrow(() -> new AssertionError("no CLI here builds with BuildKit"));
        var builder = new DockerImageBuilder(DOCKER, store, 10L << 30).withBuildKit(cli, null)
                .withLimits(BUILD_LIMITS.offCpusHeldIn(pool));
        CpuPool.Lease run = pool.acquire(1);
        String others = pool.unheld();
        var release = Executors.newSingleThreadScheduledExecutor();
        try {
            // The run ends in the middle of the step's second sleep: the step is then moved back onto every CPU.
            release.schedule(run::close, 5, TimeUnit.SECONDS);
            String image = image(JobId.random(), "FROM debian:bookworm\nRUN echo " + UUID.randomUUID() + "; sleep 2; "
                    + ALLOWED + " > /first; sleep 6; " + ALLOWED + " > /second\n", builder);
            var read = DOCKER.quick("run", "--rm", "--network", "none", image, "cat", "/first", "/second");
            assertThat(read.succeeded()).as(read.errorText()).isTrue();
            List<String> lines = read.stdoutText().lines().toList();

            assertThat(allowedIn(lines.get(0))).as("while the run held " + run.cpus()).isEqualTo(others);
            assertThat(allowedIn(lines.get(1))).as("after the run ended").isEqualTo(pool.cpus());
        } finally {
            release.shutdownNow();
            run.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cli", "api"})
    void aClassicBuildsStepsRunOnTheCpusNoRunHeldWhenItStarted(String kind) throws Exception {
        var builder = new DockerImageBuilder(engine(kind), store, 10L << 30).withLimits(BUILD_LIMITS.offCpusHeldIn(pool));
        try (CpuPool.Lease run = pool.acquire(1)) {
            String image = image(JobId.random(), "FROM debian:bookworm\nRUN echo " + UUID.randomUUID() + "; " + ALLOWED
                    + " > /first\n", builder);
            var read = DOCKER.quick("run", "--rm", "--network", "none", image, "cat", "/first");
            assertThat(read.succeeded()).as(read.errorText()).isTrue();

            assertThat(allowedIn(read.stdoutText())).as("while a run held " + run.cpus()).isEqualTo(pool.unheld());
        }
    }
}
