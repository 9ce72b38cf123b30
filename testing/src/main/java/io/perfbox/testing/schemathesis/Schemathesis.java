package io.perfbox.testing.schemathesis;

import io.perfbox.testing.PythonTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Schemathesis (PyPI {@code schemathesis}, MIT), the property-based OpenAPI tester, as a process: installed once per
 * machine into {@code ~/.cache/perfbox/schemathesis-venv-<version>} ({@link PythonTool}, as for moto) and run with
 * {@link #run}.
 */
public final class Schemathesis {
    /** Pinned: its checks and its generated cases change between releases. */
    public static final String VERSION = "4.32.5";
    private static final PythonTool TOOL = new PythonTool("schemathesis", VERSION, "schemathesis==" + VERSION);

    private Schemathesis() {
    }

    /** What a run printed and how it ended. */
    public record Result(int exitCode, String output) {
    }

    public static Path virtualenvPath() {
        return TOOL.virtualenvPath();
    }

    /**
     * {@code schemathesis <arguments>} through the venv's interpreter, in {@code workDir} (where it keeps its
     * .schemathesis and .hypothesis caches); fails when it outlives the timeout.
     */
    public static Result run(List<String> arguments, Path workDir, Duration timeout) {
        return run(arguments, null, workDir, timeout);
    }

    /** As {@link #run(List, Path, Duration)}, with the generator extensions of {@code hooks} (a Python file), if given. */
    public static Result run(List<String> arguments, Path hooks, Path workDir, Duration timeout) {
        Path venv = virtualenv();
        List<String> command = new ArrayList<>(List.of(python(venv).toString(), "-c",
                "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; schemathesis()"));
        command.addAll(arguments);
        try {
            Path log = Files.createTempFile("perfbox-schemathesis", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                builder.directory(Files.createDirectories(workDir).toFile());
                builder.environment().put("NO_COLOR", "1");
                builder.environment().put("SCHEMATHESIS_TELEMETRY", "false");
                if (hooks != null) {
                    builder.environment().put("SCHEMATHESIS_HOOKS", hooks.toAbsolutePath().toString());
                }
                Process p = builder.start();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("schemathesis did not finish within " + timeout + "; output:\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run schemathesis", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while schemathesis ran", e);
        }
    }

    static Path virtualenv() {
        return TOOL.install();
    }

    private static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }
}
