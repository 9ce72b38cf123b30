package io.perfbox.testing.trivy;

import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.testing.Preparations;
import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The real Trivy for tests, scanning offline against perfbox's own small vulnerability DB
 * ({@code tools/trivy-db-fixture/bookworm-fixture.yaml}): the real DB cannot be downloaded on our machines.
 *
 * <p>The executable is {@code PERFBOX_TEST_TRIVY} when set, else the pinned build {@code tools/install-trivy}
 * makes (cached per machine; the first build takes minutes). The DB is written once per test JVM into
 * {@code target/trivy-cache}. Failing to get either fails the tests: they are never skipped.
 */
public final class RealTrivy {
    /** What the fixture DB reports for images built on debian:bookworm (see the fixture's header). */
    public static final String BASE_LOW = "CVE-2011-3374";
    public static final String BASE_MEDIUM_UNFIXED = "CVE-2023-50495";
    public static final String BASE_HIGH_ALREADY_FIXED = "CVE-2023-4911";
    /** Reported for any image that installs Debian's {@code hello}: CRITICAL, with a fixed version. */
    public static final String HELLO_CRITICAL = "PBX-2026-0001";
    /** A Dockerfile line that installs {@code hello} from Debian's mirror. */
    public static final String INSTALL_HELLO = "RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends hello "
            + "&& rm -rf /var/lib/apt/lists/*\n";

    private static final Path REPO = RepositoryRoot.path();
    private static Path executable;
    private static Path cacheDir;

    private RealTrivy() {
    }

    public static synchronized Path executable() {
        if (executable == null) {
            String given = System.getenv("PERFBOX_TEST_TRIVY");
            if (given != null && !given.isBlank()) {
                executable = Path.of(given).toAbsolutePath();
            } else {
                // Under ./perfbox test the launcher builds it beside Maven: wait for that build, then ask the script
                // (which answers at once from its cache) where it put it.
                awaitLaunchersBuild();
                String out = run(List.of(REPO.resolve("tools/install-trivy").toString()), Duration.ofMinutes(30));
                List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
                executable = Path.of(lines.get(lines.size() - 1).strip());
            }
            if (!Files.isExecutable(executable)) {
                throw new IllegalStateException("Trivy for the tests is not an executable file: " + executable);
            }
        }
        return executable;
    }

    /** Under ./perfbox test the launcher builds Trivy and the DB generator beside Maven: waits for that build. */
    private static void awaitLaunchersBuild() {
        Preparations.await("trivy", Duration.ofMinutes(40));
    }

    /** A Trivy cache directory holding the fixture DB, for {@code --cache-dir}. */
    public static synchronized Path cacheDir() {
        if (cacheDir == null) {
            Path dir = Path.of("target", "trivy-cache").toAbsolutePath();
            // The launcher's preparation also builds the DB generator (in Go's caches it shares with Trivy).
            awaitLaunchersBuild();
            run(List.of(REPO.resolve("tools/trivy-db-fixture/build-db").toString(),
                    REPO.resolve("tools/trivy-db-fixture/bookworm-fixture.yaml").toString(), dir.toString()),
                    Duration.ofMinutes(10));
            cacheDir = dir;
        }
        return cacheDir;
    }

    /** {@code perfbox serve} options that make it scan with this Trivy, offline, and never fall back to an image. */
    public static String[] serveOptions() {
        return new String[] {
            "--trivy", executable().toString(),
            "--trivy-cache-dir", cacheDir().toString(),
            "--trivy-skip-db-update",
            "--trivy-offline-scan",
            "--no-trivy-image-fallback"};
    }

    private static String run(List<String> command, Duration timeout) {
        try {
            ProcessRunner.Result r = ProcessRunner.command(command).timeout(timeout)
                    .maxStdoutBytes(1 << 20).maxStderrBytes(1 << 20).run();
            if (!r.succeeded()) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                        + r.errorText());
            }
            return r.stdoutText();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing Trivy", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not run " + command, e);
        }
    }

    /** Concatenates option arrays (for a server that also takes other options). */
    public static String[] with(String... more) {
        String[] base = serveOptions();
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

}
