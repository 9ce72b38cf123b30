package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.testing.docker.RequiresDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run clock's Dockerfile (the stack's image asset, {@link IsolatedRunner#RUN_CLOCK_DIRECTORY}) built and run by
 * this machine's Docker engine, as ECS runs the container: the run timeout as its one argument, with an init process
 * (initProcessEnabled), a read-only root, no capability and no network. The recorder relies on what is shown here:
 * a clock stopped early (its task stopping because the job ended) exits 0 at once, so runTask.sync, which fails on any
 * container's non-zero exit, succeeds for a job that exited 0; a clock that slept to the end exits 124, its run
 * timeout's mark.
 */
@RequiresDocker
class RunClockImageIT {
    private static final String IMAGE = "perfbox-run-clock-it:" + UUID.randomUUID();
    private static final List<String> AS_ECS_RUNS_IT = List.of("--init", "--read-only", "--cap-drop", "ALL",
            "--network", "none");

    private record Result(int exitCode, String output, Duration took) {
    }

    private static Result docker(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(args);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("docker " + args + " did not end: " + output);
        }
        return new Result(p.exitValue(), output.strip(), Duration.ofNanos(System.nanoTime() - start));
    }

    private static List<String> run(String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(AS_ECS_RUNS_IT);
        args.add(IMAGE);
        args.addAll(List.of(more));
        return args;
    }

    @BeforeAll
    static void build() throws Exception {
        Result built = docker(List.of("build", "-q", "-t", IMAGE,
                Path.of(IsolatedRunner.RUN_CLOCK_DIRECTORY).toAbsolutePath().toString()));
        assertThat(built.exitCode()).as(built.output()).isZero();
    }

    @AfterAll
    static void remove() throws Exception {
        docker(List.of("rmi", "-f", IMAGE));
    }

    @Test
    void clockSleepsTheSecondsItIsGivenThenExits124() throws Exception {
        Result slept = docker(run("2"));

        assertThat(slept.exitCode()).as(slept.output()).isEqualTo(124);
        assertThat(slept.output()).as("a clock writes nothing").isEmpty();
        assertThat(slept.took()).as("it slept its time").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void clockStoppedBeforeItsEndExitsZeroWithoutWaitingForAKill() throws Exception {
        Result started = docker(List.of("run", "-d", "--init", "--read-only", "--cap-drop", "ALL", "--network", "none",
                IMAGE, "600"));
        assertThat(started.exitCode()).as(started.output()).isZero();
        String container = started.output();
        try {
            // Stopped only once its sleep runs, as ECS stops a clock that started after the job's container.
            docker(List.of("exec", container, "/busybox", "sleep", "1"));
            // SIGTERM, then SIGKILL only after 60 s: the clock must end on the SIGTERM.
            Result stopped = docker(List.of("stop", "-t", "60", container));
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
            assertThat(stopped.took()).as("ended on SIGTERM, not by the kill").isLessThan(Duration.ofSeconds(60));
            Result exit = docker(List.of("inspect", "-f", "{{.State.ExitCode}}", container));
            assertThat(exit.output()).as("0: a helper stopped with the task must not fail runTask.sync").isEqualTo("0");
        } finally {
            docker(List.of("rm", "-f", container));
        }
    }

    @Test
    void imageRunsAsNobodyWithTheBusyboxClockAsItsEntrypointAndHoldsOnlyTheStaticBusybox() throws Exception {
        Result config = docker(List.of("image", "inspect", "-f", "{{.Config.User}} {{index .Config.Entrypoint 0}}", IMAGE));
        assertThat(config.output()).isEqualTo("65534:65534 /busybox");
        // No shell to run: a scratch image with the one static binary (what `sh` would be is not there).
        Result shell = docker(List.of("run", "--rm", "--entrypoint", "/bin/sh", IMAGE, "-c", "true"));
        assertThat(shell.exitCode()).isNotZero();
        Result notANumber = docker(run("soon"));
        assertThat(notANumber.exitCode()).as("a bad argument fails, and is never taken for a run timeout")
                .isNotZero().isNotEqualTo(124);
    }
}
