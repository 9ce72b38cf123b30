package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.logs.CollectorRecord;
import io.perfbox.adapter.fs.LinkSafeFiles;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.testing.aws.CollectorRecords;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.docker.RequiresDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * The task helpers' image (the stack's image asset, {@link IsolatedRunner#TASK_HELPERS_DIRECTORY}) built and run by
 * this machine's Docker engine as the job's task definition runs each helper: its command, user, read-only root,
 * capabilities, init process and /data mount are read from the very request {@link EcsTaskDefinitions} registers,
 * and turned into the matching {@code docker run} flags (no network: the helpers need none). What the recorder
 * relies on is shown here: every helper exits 0 when it did its work and when it is stopped, data-init leaves /data
 * empty and writable by anyone, and the collector's record of each kind of /data/perf.json, parsed by
 * {@link CollectorRecord}, is what the local runtime's {@link LinkSafeFiles} reads of the same file.
 */
@RequiresDocker
class TaskHelpersImageIT {
    private static final String IMAGE = "perfbox-task-helpers-it:" + UUID.randomUUID();
    private static final int RUN_TIMEOUT_SECONDS = 2;
    private static List<ContainerDefinition> definitions;

    @TempDir
    Path data;

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

    @BeforeAll
    static void build() throws Exception {
        Result built = docker(List.of("build", "-q", "-t", IMAGE,
                Path.of(IsolatedRunner.TASK_HELPERS_DIRECTORY).toAbsolutePath().toString()));
        assertThat(built.exitCode()).as(built.output()).isZero();
        // The task definition as the workflow registers it, taken from the request the ECS client is handed.
        List<RegisterTaskDefinitionRequest> registered = new ArrayList<>();
        EcsClient ecs = new EcsClient() {
            @Override
            public RegisterTaskDefinitionResponse registerTaskDefinition(RegisterTaskDefinitionRequest request) {
                registered.add(request);
                return RegisterTaskDefinitionResponse.builder().taskDefinition(TaskDefinition.builder()
                        .taskDefinitionArn("arn:aws:ecs:eu-west-1:123456789012:task-definition/x:1").build()).build();
            }

            @Override
            public String serviceName() {
                return "ecs";
            }

            @Override
            public void close() {
            }
        };
        JobId id = JobId.random();
        new EcsTaskDefinitions(ecs, new EcsTaskDefinitions.Settings("eu-west-1", "/perfbox/runs", 1024, 2048, 20,
                "arn:aws:iam::123456789012:role/x", IMAGE, RUN_TIMEOUT_SECONDS)).register(id, StepInputs.imageUri(id));
        definitions = registered.get(0).containerDefinitions();
    }

    @AfterAll
    static void remove() throws Exception {
        docker(List.of("rmi", "-f", IMAGE));
    }

    /** {@code docker run} flags for a helper exactly as its container definition has it, /data from {@link #data}. */
    private List<String> asTheTaskRuns(String helper, boolean detached) {
        ContainerDefinition c = definitions.stream().filter(d -> d.name().equals(helper)).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(List.of("run", detached ? "-d" : "--rm", "--network", "none"));
        if (c.user() != null) {
            args.addAll(List.of("--user", c.user()));
        }
        if (Boolean.TRUE.equals(c.readonlyRootFilesystem())) {
            args.add("--read-only");
        }
        if (c.linuxParameters() != null) {
            if (Boolean.TRUE.equals(c.linuxParameters().initProcessEnabled())) {
                args.add("--init");
            }
            for (String cap : c.linuxParameters().capabilities().drop()) {
                args.addAll(List.of("--cap-drop", cap));
            }
            for (String cap : c.linuxParameters().capabilities().add()) {
                args.addAll(List.of("--cap-add", cap));
            }
        }
        c.mountPoints().forEach(m -> args.addAll(List.of("-v", data + ":" + m.containerPath()
                + (Boolean.TRUE.equals(m.readOnly()) ? ":ro" : ""))));
        assertThat(c.image()).isEqualTo(IMAGE);
        args.add(IMAGE);
        args.addAll(c.command());
        return args;
    }

    /** A shell line run as root on /data (at /d) in the helpers' image: what the test prepares there. */
    private void asRootOnData(String script) throws Exception {
        Result done = docker(List.of("run", "--rm", "--user", "0:0", "-v", data + ":/d", IMAGE, "-c", script));
        assertThat(done.exitCode()).as(done.output()).isZero();
    }

    private Result run(String helper) throws Exception {
        return docker(asTheTaskRuns(helper, false));
    }

    // ---- run-clock ----

    @Test
    void clockSleepsTheRunTimeoutThenExitsZeroWritingNothing() throws Exception {
        Result slept = run(AwsJobNames.RUN_CLOCK_CONTAINER);

        assertThat(slept.exitCode()).as("0: runTask.sync fails on any container's non-zero exit").isZero();
        assertThat(slept.output()).isEmpty();
        assertThat(slept.took()).as("it slept its time").isGreaterThanOrEqualTo(Duration.ofSeconds(RUN_TIMEOUT_SECONDS));
    }

    @Test
    void clockStoppedBeforeItsEndExitsZeroWithoutWaitingForAKill() throws Exception {
        List<String> args = asTheTaskRuns(AwsJobNames.RUN_CLOCK_CONTAINER, true);
        args.set(args.size() - 1, "600");
        Result started = docker(args);
        assertThat(started.exitCode()).as(started.output()).isZero();
        String container = started.output();
        try {
            // Stopped only once its sleep runs, as ECS stops a clock that started after the job's container.
            docker(List.of("exec", container, "/busybox", "sleep", "1"));
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
    void imageHoldsOnlyTheStaticBusyboxAndItsScriptsAndABadClockArgumentFails() throws Exception {
        Result config = docker(List.of("image", "inspect", "-f", "{{.Config.User}} {{index .Config.Entrypoint 0}}", IMAGE));
        assertThat(config.output()).isEqualTo("65534:65534 /busybox");
        Result shell = docker(List.of("run", "--rm", "--entrypoint", "/bin/sh", IMAGE, "-c", "true"));
        assertThat(shell.exitCode()).as("no /bin/sh").isNotZero();
        Result notANumber = docker(List.of("run", "--rm", "--network", "none", IMAGE, "/run-clock.sh", "soon"));
        assertThat(notANumber.exitCode()).as("a bad argument is perfbox's fault, never a run's end").isEqualTo(125);
    }

    // ---- data-init ----

    @Test
    void dataInitEmptiesDataWithoutFollowingLinksAndLeavesItWritableByAnyone() throws Exception {
        // What an image's VOLUME /data could have had copied in: files, a closed directory of another user, links.
        Path outside = Files.createTempDirectory("outside");
        Files.writeString(outside.resolve("keep"), "not the job's");
        Files.writeString(data.resolve("perf.json"), "{\"perf\":1.0}");
        Files.writeString(data.resolve(".hidden"), "x");
        Path closed = Files.createDirectory(data.resolve("closed"));
        Files.writeString(closed.resolve("inside"), "x");
        Files.createSymbolicLink(data.resolve("link"), outside);
        asRootOnData("/busybox chown -R 1000:1000 /d/closed && /busybox chmod 500 /d/closed");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result init = run(AwsJobNames.DATA_INIT_CONTAINER);

        assertThat(init.exitCode()).as(init.output()).isZero();
        try (var left = Files.list(data)) {
            assertThat(left).isEmpty();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwxrwxrwx");
        assertThat(outside.resolve("keep")).hasContent("not the job's");
        // Any user of the job's image may now write its result.
        Result write = docker(List.of("run", "--rm", "--user", "4242:4242", "--cap-drop", "ALL", "-v", data + ":/data",
                IMAGE, "-c", "echo '{\"perf\":0.5}' > /data/perf.json"));
        assertThat(write.exitCode()).as(write.output()).isZero();
    }

    // ---- the collector ----

    private List<String> collectedLines() throws Exception {
        Result collected = run(AwsJobNames.COLLECTOR_CONTAINER);
        assertThat(collected.exitCode()).as(collected.output()).isZero();
        return collected.output().lines().toList();
    }

    private Optional<JobWorkspace.ResultFile> collected() throws Exception {
        return CollectorRecord.parse(collectedLines());
    }

    /**
     * The collector's record of /data/perf.json is what the local runtime reads of it, in the very lines the tests'
     * stand-in collector writes (CollectorRecords).
     */
    private JobWorkspace.ResultFile collectedAsLocally() throws Exception {
        JobWorkspace.ResultFile local = LinkSafeFiles.read(data.resolve("perf.json"), PerformanceResult.MAX_BYTES);
        List<String> lines = collectedLines();
        assertThat(lines).isEqualTo(CollectorRecords.of(local));
        JobWorkspace.ResultFile record = CollectorRecord.parse(lines).orElseThrow();
        if (local instanceof JobWorkspace.Content c) {
            assertThat(record).isInstanceOfSatisfying(JobWorkspace.Content.class,
                    r -> assertThat(r.bytes()).isEqualTo(c.bytes()));
        } else {
            assertThat(record).isEqualTo(local);
        }
        return record;
    }

    @Test
    void collectorRecordsTheResultFilesBytes() throws Exception {
        Files.writeString(data.resolve("perf.json"), "{\"perf\":0.99,\"loss\":\"" + "x".repeat(30_000) + "\"}");
        assertThat(collectedAsLocally()).isInstanceOf(JobWorkspace.Content.class);
    }

    @Test
    void collectorRecordsAMissingFileAndAnEmptyOne() throws Exception {
        assertThat(collectedAsLocally()).isEqualTo(new JobWorkspace.Missing());
        Files.writeString(data.resolve("perf.json"), "");
        assertThat(collectedAsLocally()).isInstanceOf(JobWorkspace.Content.class);
    }

    @Test
    void collectorNeverFollowsALinkAtPerfJson() throws Exception {
        // The attack: a link to a file only the collector's root could read (it keeps DAC_OVERRIDE).
        Path secret = Files.writeString(data.getParent().resolve("secret-" + UUID.randomUUID()), "{\"perf\":42}");
        Files.createSymbolicLink(data.resolve("perf.json"), Path.of("/etc/hostname"));
        assertThat(collectedAsLocally()).isEqualTo(new JobWorkspace.NotRegularFile("symbolic link"));
        Files.delete(data.resolve("perf.json"));
        Files.createSymbolicLink(data.resolve("perf.json"), secret);
        assertThat(collectedAsLocally()).isEqualTo(new JobWorkspace.NotRegularFile("symbolic link"));
    }

    @Test
    void collectorReportsANamedPipeWithoutBlockingAndADirectory() throws Exception {
        asRootOnData("/busybox mkfifo /d/perf.json");
        Result collected = run(AwsJobNames.COLLECTOR_CONTAINER);
        assertThat(collected.took()).as("a FIFO with no writer must not hang the read").isLessThan(Duration.ofSeconds(30));
        assertThat(CollectorRecord.parse(collected.output().lines().toList()))
                .contains(new JobWorkspace.NotRegularFile("special file (pipe, socket or device)"));
        Files.delete(data.resolve("perf.json"));
        Files.createDirectory(data.resolve("perf.json"));
        assertThat(collectedAsLocally()).isEqualTo(new JobWorkspace.NotRegularFile("directory"));
    }

    @Test
    void collectorReadsAtMostOneByteMoreThanTheLimit() throws Exception {
        Files.write(data.resolve("perf.json"), new byte[10 * 1024 * 1024]);
        Result collected = run(AwsJobNames.COLLECTOR_CONTAINER);
        assertThat(collected.output().length()).as("64 KiB + 1 in base64, not 10 MiB").isLessThan(100_000);
        assertThat(CollectorRecord.parse(collected.output().lines().toList()))
                .contains(new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES));
    }

    @Test
    void collectorReadsAResultOfAnyOwnerAndModeButCannotWriteData() throws Exception {
        Files.writeString(data.resolve("perf.json"), "{\"perf\":0.3}");
        asRootOnData("/busybox chown 4242:4242 /d/perf.json && /busybox chmod 600 /d/perf.json");
        assertThat(collectedAsLocally()).isInstanceOf(JobWorkspace.Content.class);

        List<String> args = asTheTaskRuns(AwsJobNames.COLLECTOR_CONTAINER, false);
        args.set(args.size() - 1, "-c");
        args.add("echo forged > /data/perf.json");
        assertThat(docker(args).exitCode()).as("/data is read-only for the collector").isNotZero();
        assertThat(data.resolve("perf.json")).hasContent("{\"perf\":0.3}");
    }
}
