package io.perfbox.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Python tool from PyPI that the tests run (moto, Schemathesis), in a virtualenv of its own under
 * {@code ~/.cache/perfbox}, made once per machine: built in a temporary directory beside its place and renamed into
 * it, so a half-made one (an install cut short, two JVMs at once) is never taken for a finished one.
 */
public final class PythonTool {
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private final String name;
    private final String requirement;
    private final Path virtualenv;

    /** name: for messages and the directory; requirement: what pip installs, pinned (e.g. {@code moto[server]==5.2.5}). */
    public PythonTool(String name, String version, String requirement) {
        this.name = name;
        this.requirement = requirement;
        this.virtualenv = Path.of(System.getProperty("user.home"), ".cache", "perfbox", name + "-venv-" + version);
    }

    public Path virtualenvPath() {
        return virtualenv;
    }

    /** The venv's interpreter. It finds its venv from its own location, so it keeps working after the rename. */
    public Path python() {
        return python(virtualenv);
    }

    /** The virtualenv, made if missing. */
    public synchronized Path install() {
        if (Files.isExecutable(python(virtualenv))) {
            return virtualenv;
        }
        String python3 = python3(System.getenv("PATH"), name);
        try {
            Files.createDirectories(virtualenv.getParent());
            Path building = Files.createTempDirectory(virtualenv.getParent(), virtualenv.getFileName() + ".building-");
            try {
                run(List.of(python3, "-m", "venv", building.toString()), "python3 -m venv");
                // pip through the venv's python, not bin/pip: the scripts' #! lines name the temporary directory.
                run(List.of(python(building).toString(), "-m", "pip", "install", "--disable-pip-version-check",
                        "--quiet", requirement), "pip install " + requirement);
                try {
                    Files.move(building, virtualenv, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // Another JVM finished first: use its virtualenv.
                }
            } finally {
                deleteTree(building);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not make " + name + "'s virtualenv at " + virtualenv, e);
        }
        return virtualenv;
    }

    /** python3 on the given PATH; a clear IllegalStateException when there is none. */
    public static String python3(String path, String forWhat) {
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3"))) {
                    return Path.of(dir, "python3").toString();
                }
            }
        }
        throw new IllegalStateException(forWhat + " (a tool the tests run) needs python3 on the PATH to install it; none "
                + "was found. Install Python 3 (e.g. apt-get install python3 python3-venv) and run the tests again.");
    }

    private static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }

    private void run(List<String> command, String what) throws IOException {
        Path log = Files.createTempFile("perfbox-" + name + "-install", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + INSTALL_TIMEOUT.toMinutes()
                        + " minutes; output: " + tail(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The last 30 lines of a log file, for a failure message. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
