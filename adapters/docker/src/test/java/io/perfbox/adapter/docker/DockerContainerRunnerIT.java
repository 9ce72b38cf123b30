package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.fs.HostJobWorkspace;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.docker.RequiresDocker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresDocker
class DockerContainerRunnerIT {
    protected static final DockerCli DOCKER = new DockerCli("docker");
    private static final RunLimits LIMITS = new RunLimits(64L * 1024 * 1024, 1.0, 64, Duration.ofSeconds(20));
    protected final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private final DockerImageBuilder builder = new DockerImageBuilder(DOCKER, store, 10L << 30);
    private final List<JobId> jobs = new ArrayList<>();
    @TempDir
    Path tmp;

    /** The runner under test, under the container runtime named; through the docker CLI here (subclasses: other engines). */
    protected DockerContainerRunner runner(HostJobWorkspace workspace, Optional<String> runtime) {
        return new DockerContainerRunner(new DockerCliEngine(DOCKER), store, workspace::directoryOf, workspace::full, runtime);
    }

    private DockerContainerRunner runner(HostJobWorkspace workspace) {
        return runner(workspace, Optional.empty());
    }

    private HostJobWorkspace workspace() {
        return workspace(ContainerRunner.RunLimits.DEFAULT_DATA_BYTES);
    }

    private HostJobWorkspace workspace(long dataBytes) {
        HostJobWorkspace ws = new HostJobWorkspace(tmp.resolve("ws"), dataBytes);
        workspaces.add(ws);
        return ws;
    }

    private final List<HostJobWorkspace> workspaces = new ArrayList<>();

    private record Ran(JobId id, ContainerRunner.RunOutcome outcome, HostJobWorkspace workspace) {
    }

    private Ran run(String cmd, RunLimits limits) throws Exception {
        return run(cmd, limits, Optional.empty());
    }

    private Ran run(String cmd, RunLimits limits, Optional<String> runtime) throws Exception {
        JobId id = JobId.random();
        jobs.add(id);
        var built = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD " + cmd + "\n"), Duration.ofMinutes(2));
        assertThat(built).isInstanceOf(ImageBuilder.Built.class);
        HostJobWorkspace ws = workspace(limits.dataBytes());
        ws.prepare(id);
        var runner = runner(ws, runtime);
        return new Ran(id, runner.run(id, ((ImageBuilder.Built) built).imageRef(), limits), ws);
    }

    @AfterEach
    void cleanUp() {
        new DockerJanitor(new DockerCliEngine(DOCKER), store).removeAll();
        workspaces.forEach(HostJobWorkspace::removeLeftovers);
    }

    /** The container's HostConfig.Runtime as the engine recorded it. */
    private static String runtimeOf(JobId id) throws InterruptedException {
        var r = DOCKER.quick("inspect", "--format", "{{.HostConfig.Runtime}}", DockerNames.containerName(id.value()));
        assertThat(r.succeeded()).as(r.errorText()).isTrue();
        return r.stdoutText().strip();
    }

    @Test
    void theRunGoesToTheContainerRuntimeNamed() throws Exception {
        Ran runc = run("echo '{\"perf\":1}' > /data/perf.json", LIMITS, Optional.of("runc"));
        assertThat(runc.outcome()).isInstanceOfSatisfying(ContainerRunner.Exited.class, e -> assertThat(e.exitCode()).isZero());
        assertThat(runtimeOf(runc.id())).isEqualTo("runc");
        // runc is also the default: a runtime the engine has registered besides its default shows the option arriving.
        String defaultRuntime = DOCKER.quick("info", "--format", "{{.DefaultRuntime}}").stdoutText().strip();
        Optional<String> other = DOCKER.runtimes().stream().filter(n -> !n.equals(defaultRuntime)).findFirst();
        Assumptions.assumeTrue(other.isPresent(), "the engine has no runtime besides its default");
        Ran named = run("true", LIMITS, other);
        assertThat(named.outcome()).isInstanceOf(ContainerRunner.Exited.class);
        assertThat(runtimeOf(named.id())).isEqualTo(other.get());
        assertThat(runtimeOf(run("true", LIMITS).id())).as("without a runtime: the engine's default").isEqualTo(defaultRuntime);
    }

    @Test
    void aRuntimeTheEngineDoesNotKnowFailsTheStartSayingSo() throws Exception {
        Ran r = run("true", LIMITS, Optional.of("perfbox-no-such-runtime"));
        assertThat(r.outcome()).isInstanceOfSatisfying(ContainerRunner.FailedToStart.class,
                f -> assertThat(f.reason()).containsIgnoringCase("runtime"));
    }

    @Test
    void exitCodeAndOutputAreReported() throws Exception {
        Ran r = run("echo hello from the job; exit 3", LIMITS);
        assertThat(r.outcome()).isInstanceOfSatisfying(ContainerRunner.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(3));
        assertThat(r.outcome().log().text()).contains("hello from the job");
    }

    @Test
    void outputOnBothStreamsIsInTheLog() throws Exception {
        Ran r = run("echo to-stdout; echo to-stderr >&2", LIMITS);
        assertThat(r.outcome()).isInstanceOfSatisfying(ContainerRunner.Exited.class, e -> assertThat(e.exitCode()).isZero());
        assertThat(r.outcome().log().text()).contains("to-stdout").contains("to-stderr");
        assertThat(r.outcome().log().truncated()).isFalse();
    }

    @Test
    void resultWrittenToDataIsReadOnTheHost() throws Exception {
        Ran r = run("echo '{\"perf\":0.5}' > /data/perf.json", LIMITS);
        assertThat(r.outcome()).isInstanceOf(ContainerRunner.Exited.class);
        assertThat(r.workspace().readResult(r.id(), 1024)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(new String(c.bytes(), StandardCharsets.UTF_8).strip()).isEqualTo("{\"perf\":0.5}"));
    }

    @Test
    void containerHasNoCapabilitiesNoNetworkAndOnlyDataMounted() throws Exception {
        Ran r = run("grep CapEff /proc/self/status; ls /sys/class/net; grep -c ' /data ' /proc/self/mountinfo; "
                + "grep NoNewPrivs /proc/self/status", LIMITS);
        String log = r.outcome().log().text();
        assertThat(log).contains("CapEff:\t0000000000000000");
        assertThat(log.lines().filter(l -> l.equals("lo")).count()).isEqualTo(1);
        assertThat(log).doesNotContain("eth0");
        assertThat(log).contains("NoNewPrivs:\t1");
    }

    @Test
    void runPastTheTimeoutIsStopped() throws Exception {
        Ran r = run("sleep 600", new RunLimits(64L * 1024 * 1024, 1.0, 64, Duration.ofSeconds(3)));
        assertThat(r.outcome()).isInstanceOf(ContainerRunner.TimedOut.class);
        runner(r.workspace()).remove(r.id());
        assertThat(DOCKER.quick("ps", "-a", "-q", "--filter", "label=" + DockerNames.JOB_LABEL + "=" + r.id()).stdoutText()).isBlank();
    }

    @Test
    void memoryHogIsOutOfMemory() throws Exception {
        Ran r = run("x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo survived", LIMITS);
        assertThat(r.outcome()).isInstanceOf(ContainerRunner.OutOfMemory.class);
    }

    @Test
    void forkBombIsHeldByThePidsLimit() throws Exception {
        Ran r = run("for i in $(seq 1 200); do sleep 30 & done; echo spawned; wait",
                new RunLimits(64L * 1024 * 1024, 1.0, 32, Duration.ofSeconds(8)));
        assertThat(r.outcome().log().text()).containsAnyOf("Resource temporarily unavailable", "fork", "Cannot fork");
    }

    @Test
    void logFloodIsBounded() throws Exception {
        Ran r = run("head -c 50000000 /dev/zero | tr '\\0' x; echo; echo tail-marker", LIMITS);
        assertThat(r.outcome().log().truncated()).isTrue();
        assertThat(r.outcome().log().text().length()).isLessThan(2 * 1024 * 1024);
    }

    @Test
    void imageWithoutAUsableCommandFailsToStart() throws Exception {
        JobId id = JobId.random();
        jobs.add(id);
        var built = builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nENTRYPOINT [\"/no/such/binary\"]\n"), Duration.ofMinutes(2));
        HostJobWorkspace ws = workspace();
        ws.prepare(id);
        var outcome = runner(ws).run(id, ((ImageBuilder.Built) built).imageRef(), LIMITS);
        assertThat(outcome).isInstanceOf(ContainerRunner.FailedToStart.class);
    }

    @Test
    void interruptKillsTheContainer() throws Exception {
        JobId id = JobId.random();
        jobs.add(id);
        var built = (ImageBuilder.Built) builder.build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nCMD sleep 600\n"), Duration.ofMinutes(2));
        HostJobWorkspace ws = workspace();
        ws.prepare(id);
        var runner = runner(ws);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                runner.run(id, built.imageRef(), new RunLimits(64L * 1024 * 1024, 1.0, 64, Duration.ofMinutes(5)));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(3000);
        t.interrupt();
        t.join(30_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(DOCKER.quick("ps", "-a", "-q", "--filter", "label=" + DockerNames.JOB_LABEL + "=" + id).stdoutText()).isBlank();
    }

    private static final long MIB = 1024 * 1024;

    /** As root on the host: runs a shell script as the unprivileged user nobody. */
    private static String asNobody(String script) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void aSetuidRootShellARunLeavesInDataGivesNoHostUserRoot() throws Exception {
        Ran r = run("cp /bin/bash /data/rootsh && chmod 4755 /data/rootsh && echo '{\"perf\":1}' > /data/perf.json", LIMITS);
        assertThat(r.outcome()).as(r.outcome().log().text()).isInstanceOfSatisfying(ContainerRunner.Exited.class,
                e -> assertThat(e.exitCode()).isZero());
        Path shell = r.workspace().directoryOf(r.id()).resolve("rootsh");
        assertThat(Files.getPosixFilePermissions(shell)).contains(PosixFilePermission.OWNER_EXECUTE);
        // Through its path: a host user cannot even reach it.
        String byPath = asNobody(shell + " -p -c 'echo euid=$(id -u)'");
        assertThat(byPath).doesNotContain("euid=0").contains("Permission denied");
        // Handed an open descriptor of it (as if a path were found): nosuid, so it runs as the user, never as root.
        Process p = new ProcessBuilder("bash", "-c", "exec 3< " + shell + "; setpriv --reuid=65534 --regid=65534"
                + " --clear-groups /proc/self/fd/3 -p -c 'echo euid=$(id -u)'").redirectErrorStream(true).start();
        String byFd = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertThat(byFd).doesNotContain("euid=0");
        // Nor can a host user forge the job's result.
        Path result = r.workspace().directoryOf(r.id()).resolve("perf.json");
        assertThat(asNobody("echo '{\"perf\":999}' > " + result)).contains("Permission denied");
        assertThat(Files.readString(result)).contains("\"perf\":1").doesNotContain("999");
    }

    @Test
    void aFileDeletedWhileHeldOpenCountsAgainstTheDataLimit() throws Exception {
        Ran r = run("exec 3>/data/held; rm /data/held; head -c 600000000 /dev/zero >&3; sleep 600",
                new RunLimits(64 * MIB, 1.0, 64, Duration.ofSeconds(40), 20 * MIB, 10L << 30));
        assertThat(r.outcome()).as(r.outcome().toString()).isInstanceOfSatisfying(ContainerRunner.DiskLimitExceeded.class,
                d -> assertThat(d.area()).isEqualTo(ContainerRunner.DiskArea.DATA));
    }

    @Test
    void manyEmptyFilesAreBoundedByTheDataFileSystemsInodes() throws Exception {
        // 200,000 empty files: under 1 GiB as a walk counts them (4 KiB each), past the 65,536 files 1 GiB allows.
        Ran r = run("cd /data && seq 1 200000 | xargs touch; sleep 600",
                new RunLimits(64 * MIB, 1.0, 64, Duration.ofSeconds(60), 1024 * MIB, 10L << 30));
        assertThat(r.outcome()).as(r.outcome().toString()).isInstanceOfSatisfying(ContainerRunner.DiskLimitExceeded.class,
                d -> assertThat(d.area()).isEqualTo(ContainerRunner.DiskArea.DATA));
        try (var files = Files.list(r.workspace().directoryOf(r.id()))) {
            // 65,536 asked of mkfs, rounded up to whole block groups
            assertThat(files.count()).isLessThan(70_000);
        }
    }
}
