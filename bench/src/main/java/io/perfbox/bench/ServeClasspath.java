package io.perfbox.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * 7. The class path of {@code perfbox serve}, as ./perfbox runs it (runtimes/local/target/classes and lib/*): its
 * size and jars, against the figure of the last version that carried the AWS runtime and DynamoDB Local in it.
 */
final class ServeClasspath {
    /**
     * Commit 6857a56 (before the layout of the restructure), built on 2026-12-01 on the bench machine: local/target/lib
     * held 105 jars, 72,301,870 bytes, 27 of them AWS SDK, DynamoDB Local, Jetty, Kotlin or sqlite4java. It cannot be
     * rebuilt in the same run (it is another commit), so it stands here as recorded.
     */
    static final long BEFORE_BYTES = 72_301_870L;
    static final int BEFORE_JARS = 105;
    /** Names of artifacts that must not be on it: the AWS SDK, Lambda, DynamoDB Local and what it dragged in. */
    private static final String FORBIDDEN = "(?i).*(aws|amazon|lambda|dynamodb|sqlite4java|jetty|kotlin).*";

    private ServeClasspath() {
    }

    /** What ./perfbox puts on the java command line for serve. */
    static String of(Path root) {
        return root.resolve("runtimes/local/target/classes") + File.pathSeparator
                + root.resolve("runtimes/local/target/lib") + "/*";
    }

    static List<Outcome> measure(Path root) throws IOException {
        Path lib = root.resolve("runtimes/local/target/lib");
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(lib, "*.jar")) {
            entries.forEach(jars::add);
        }
        long bytes = 0;
        List<String> forbidden = new ArrayList<>();
        for (Path jar : jars) {
            bytes += Files.size(jar);
            if (jar.getFileName().toString().matches(FORBIDDEN)) {
                forbidden.add(jar.getFileName().toString());
            }
        }
        double ratio = (double) bytes / BEFORE_BYTES;
        System.out.printf(Locale.ROOT, "%n[7] class path of perfbox serve (%s)%n", root.relativize(lib));
        System.out.printf(Locale.ROOT, "    now: %d jars, %,d bytes (%.1f MB); before (6857a56, recorded): %d jars, %,d bytes "
                + "(%.1f MB); ratio %.2f%n", jars.size(), bytes, bytes / 1e6, BEFORE_JARS, BEFORE_BYTES, BEFORE_BYTES / 1e6, ratio);
        System.out.println("    AWS SDK, Lambda or DynamoDB artifacts on it: " + (forbidden.isEmpty() ? "none" : forbidden));
        return List.of(new Outcome("7", "serve class path", String.format(Locale.ROOT, "%.1f MB, %d jars", bytes / 1e6, jars.size()),
                String.format(Locale.ROOT, "%.1f MB, %d jars before", BEFORE_BYTES / 1e6, BEFORE_JARS),
                String.format(Locale.ROOT, "%.2f", ratio), "no AWS artifact",
                forbidden.isEmpty() ? Outcome.Verdict.MET : Outcome.Verdict.FAILED, "recorded before-figure"));
    }
}
