package io.perfbox.adapter.process;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.LogSink;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command (docker, trivy) with a timeout and bounded output capture.
 * On timeout or interruption the process and its descendants are killed; interruption is rethrown.
 */
public final class ProcessRunner {
    private final List<String> command;
    private byte[] stdin;
    private Duration timeout = Duration.ofMinutes(10);
    private int maxStdoutBytes = 1024 * 1024;
    private int maxStderrBytes = 64 * 1024;
    private boolean mergeStderr;
    private LogSink stdoutTee = LogSink.NONE;
    private final Map<String, String> environment = new HashMap<>();

    private ProcessRunner(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static ProcessRunner command(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return new ProcessRunner(command);
    }

    public static ProcessRunner command(String... command) {
        return command(List.of(command));
    }

    public ProcessRunner stdin(byte[] input) {
        this.stdin = input;
        return this;
    }

    public ProcessRunner timeout(Duration t) {
        this.timeout = Objects.requireNonNull(t);
        return this;
    }

    /** Bound on kept stdout (head and tail kept; {@link Result#stdoutTruncated()} tells if more came). */
    public ProcessRunner maxStdoutBytes(int n) {
        this.maxStdoutBytes = n;
        return this;
    }

    public ProcessRunner maxStderrBytes(int n) {
        this.maxStderrBytes = n;
        return this;
    }

    /** Sends stderr into the stdout capture, interleaved as the process wrote it. */
    public ProcessRunner mergeStderr() {
        this.mergeStderr = true;
        return this;
    }

    /** Passes stdout (with stderr when merged) on to {@code sink} as it comes, besides the bounded capture. */
    public ProcessRunner teeStdout(LogSink sink) {
        this.stdoutTee = Objects.requireNonNull(sink);
        return this;
    }

    public ProcessRunner env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public record Result(int exitCode, boolean timedOut, BoundedCapture stdout, BoundedCapture stderr) {
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        public String stdoutText() {
            return stdout.toLog().text();
        }

        public String stderrText() {
            return stderr.toLog().text();
        }

        public boolean stdoutTruncated() {
            return stdout.truncated();
        }

        public CapturedLog stdoutLog() {
            return stdout.toLog();
        }

        /** stderr if it has anything, else stdout: where a failing tool usually says why. */
        public String errorText() {
            String e = stderrText().strip();
            return e.isEmpty() ? stdoutText().strip() : e;
        }
    }

    /** Thrown when the command cannot be started at all (e.g. the executable does not exist). */
    public static class StartFailedException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        public StartFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Result run() throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().putAll(environment);
        pb.redirectErrorStream(mergeStderr);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new StartFailedException("could not start " + command.get(0) + ": " + e.getMessage(), e);
        }
        BoundedCapture out = new BoundedCapture(Math.max(2, maxStdoutBytes), stdoutTee);
        BoundedCapture err = new BoundedCapture(Math.max(2, maxStderrBytes));
        Thread outPump = pump(process.getInputStream(), out, "stdout");
        Thread errPump = mergeStderr ? null : pump(process.getErrorStream(), err, "stderr");
        try {
            if (stdin != null) {
                Thread feeder = Thread.ofVirtual().start(() -> {
                    try (OutputStream os = process.getOutputStream()) {
                        os.write(stdin);
                    } catch (IOException ignored) {
                        // the process closed its stdin early; its exit status tells the story
                    }
                });
                feeder.setName("stdin-" + command.get(0));
            }
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
                joinQuietly(outPump, errPump);
                return new Result(-1, true, out, err);
            }
            joinQuietly(outPump, errPump);
            return new Result(process.exitValue(), false, out, err);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread a, Thread b) {
        boolean interrupted = false;
        for (Thread t : new Thread[] {a, b}) {
            if (t == null) {
                continue;
            }
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread pump(InputStream in, BoundedCapture sink, String name) {
        return Thread.ofVirtual().name("pump-" + name).start(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    sink.write(buf, 0, n);
                }
            } catch (IOException e) {
                // stream closed because the process was killed
            }
        });
    }
}
