package io.perfbox.local.docker;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.local.fs.HostJobWorkspace;
import io.perfbox.local.process.ProcessRunner;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code docker run} isolated: no network, every capability dropped, no new privileges, pids/memory/CPU limits
 * without swap, logs bounded on disk, and only the job's own workspace mounted (at /data).
 */
public class DockerContainerRunner implements ContainerRunner {
    private static final int MAX_LOG_BYTES = 1024 * 1024;

    private final DockerCli docker;
    private final String storeId;
    private final HostJobWorkspace workspace;

    public DockerContainerRunner(DockerCli docker, String storeId, HostJobWorkspace workspace) {
        this.docker = docker;
        this.storeId = storeId;
        this.workspace = workspace;
    }

    @Override
    public RunOutcome run(JobId id, String imageRef, RunLimits limits) throws InterruptedException {
        // The name is unique to the job; leftovers of a crash are removed by the janitor at start-up.
        String name = DockerCli.containerName(id.value());
        LogFollower follower = null;
        try {
            ProcessRunner.Result started = docker.command("run", "--detach", "--name", name,
                            "--label", DockerCli.STORE_LABEL + "=" + storeId,
                            "--label", DockerCli.JOB_LABEL + "=" + id.value(),
                            "--network", "none",
                            "--cap-drop", "ALL",
                            "--security-opt", "no-new-privileges",
                            "--pids-limit", Integer.toString(limits.pids()),
                            "--memory", Long.toString(limits.memoryBytes()),
                            "--memory-swap", Long.toString(limits.memoryBytes()),
                            "--cpus", String.format(Locale.ROOT, "%.3f", limits.cpus()),
                            "--log-driver", "json-file",
                            // Bounds the engine's own copy on disk; what the user gets is the follower's capture below.
                            "--log-opt", "max-size=10m", "--log-opt", "max-file=2",
                            "--mount", "type=bind,source=" + workspace.directoryOf(id) + ",target=/data",
                            imageRef)
                    .timeout(Duration.ofMinutes(2))
                    .run();
            if (!started.succeeded()) {
                String reason = started.timedOut() ? "docker run did not answer within 2 minutes" : firstLine(started.errorText());
                return new FailedToStart(reason, logs(name));
            }
            follower = new LogFollower(name, limits.timeout().plusMinutes(1));
            ProcessRunner.Result waited = docker.command("wait", name).timeout(limits.timeout()).run();
            if (waited.timedOut()) {
                docker.quickUninterruptibly("kill", name);
                return new TimedOut(limits.timeout(), follower.finish());
            }
            ProcessRunner.Result state = docker.quick("inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", name);
            if (!state.succeeded()) {
                return new FailedToStart("the container vanished: " + firstLine(state.errorText()), CapturedLog.EMPTY);
            }
            String[] parts = state.stdoutText().strip().split(" ");
            int exitCode = Integer.parseInt(parts[0]);
            boolean oomKilled = parts.length > 1 && Boolean.parseBoolean(parts[1]);
            CapturedLog log = follower.finish();
            if (exitCode != 0 && oomKilled) {
                return new OutOfMemory(exitCode, log);
            }
            return new Exited(exitCode, log);
        } catch (InterruptedException e) {
            if (follower != null) {
                follower.cancel();
            }
            docker.quickUninterruptibly("rm", "-f", name);
            throw e;
        }
    }

    /**
     * Streams the container's output from its start into a bounded capture, so a flood is counted (and flagged
     * truncated) however much of it the engine's rotated log file still holds at the end.
     */
    private final class LogFollower {
        private final String name;
        private final Thread thread;
        private volatile CapturedLog captured;

        LogFollower(String name, Duration max) {
            this.name = name;
            this.thread = Thread.ofVirtual().name("logs-" + name).start(() -> {
                try {
                    captured = docker.command("logs", "--follow", name).mergeStderr().maxStdoutBytes(MAX_LOG_BYTES)
                            .timeout(max).run().stdoutLog();
                } catch (InterruptedException | ProcessRunner.StartFailedException e) {
                    // cancelled, or docker vanished: finish() falls back to reading the log afterwards
                }
            });
        }

        /** The captured output once the container has stopped (the follow ends with it). */
        CapturedLog finish() {
            try {
                thread.join(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (captured == null) {
                thread.interrupt();
                return logs(name);
            }
            return captured;
        }

        void cancel() {
            thread.interrupt();
        }
    }

    private CapturedLog logs(String name) {
        boolean interrupted = Thread.interrupted();
        try {
            ProcessRunner.Result r = docker.command("logs", name).mergeStderr().maxStdoutBytes(MAX_LOG_BYTES)
                    .timeout(Duration.ofSeconds(60)).run();
            return r.stdoutLog();
        } catch (InterruptedException | ProcessRunner.StartFailedException e) {
            return CapturedLog.EMPTY;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String firstLine(String text) {
        String line = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("unknown error");
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }

    @Override
    public void remove(JobId id) {
        docker.quickUninterruptibly("rm", "-f", DockerCli.containerName(id.value()));
    }
}
