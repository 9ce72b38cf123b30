package io.perfbox.testing.schemathesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Schemathesis (PyPI {@code schemathesis}, MIT), the property-based OpenAPI tester, as a process: installed once per
 * machine into {@code ~/.cache/perfbox/schemathesis-venv-<version>} (as {@code io.perfbox.testing.aws.Moto} does for
 * moto) and run with {@link #run}.
 */
public final class Schemathesis {
    /** Pinned: its checks and its generated cases change between releases. */
    public static final String VERSION = "4.32.5";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private Schemathesis() {
    }

    /** What a run printed and how it ended. */
    public record Result(int exitCode, String output) {
    }

    public static Path virtualenvPath() {
        return Path.of(System.getProperty("user.home"), ".cache", "perfbox", "schemathesis-venv-" + VERSION);
    }

    /**
     * {@code schemathesis <arguments>} through the venv's interpreter, in {@code workDir} (where it keeps its
     * .schemathesis and .hypothesis caches); fails when it outlives the timeout.
     */
    public static Result run(List<String> arguments, Path workDir, Duration timeout) {
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

    /** The virtualenv, made if missing: built beside its place and renamed into it, so a half-made one is never used. */
    static synchronized Path virtualenv() {
        Path venv = virtualenvPath();
        if (Files.isExecutable(python(venv))) {
            return venv;
        }
        try {
            Files.createDirectories(venv.getParent());
            Path building = Files.createTempDirectory(venv.getParent(), venv.getFileName() + ".building-");
            try {
                install(List.of("python3", "-m", "venv", building.toString()));
                // pip through the venv's python, not bin/pip: the scripts' #! lines name the temporary directory.
                install(List.of(python(building).toString(), "-m", "pip", "install", "--disable-pip-version-check",
                        "--quiet", "schemathesis==" + VERSION));
                try {
                    Files.move(building, venv, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // Another JVM finished first: use its virtualenv.
                }
            } finally {
                deleteTree(building);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not make schemathesis's virtualenv at " + venv, e);
        }
        return venv;
    }

    private static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }

    private static void install(List<String> command) throws IOException {
        Path log = Files.createTempFile("perfbox-schemathesis-install", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + INSTALL_TIMEOUT.toMinutes() + " minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing schemathesis", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
