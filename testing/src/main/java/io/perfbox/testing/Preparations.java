package io.perfbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The preparations {@code ./perfbox test} starts beside Maven (the pinned Trivy, the LocalStack image): a test that
 * needs one waits here until it has finished, and fails with its log when it failed. The launcher names a directory
 * in {@code PERFBOX_TEST_PREPARATIONS} where each preparation writes {@code NAME.log} and, when done, {@code NAME.rc}
 * (its exit code). Outside the launcher (an IDE, {@code mvn verify} by hand) there is nothing to wait for, and the
 * callers make what they need themselves, as before.
 */
public final class Preparations {
    public static final String ENV = "PERFBOX_TEST_PREPARATIONS";
    private static final Duration POLL = Duration.ofMillis(500);

    private Preparations() {
    }

    /** Waits for the launcher's preparation {@code name}, if the launcher started one; throws if it failed. */
    public static void await(String name, Duration timeout) {
        String dir = System.getenv(ENV);
        if (dir == null || dir.isBlank()) {
            return;
        }
        await(Path.of(dir), name, timeout);
    }

    static void await(Path dir, String name, Duration timeout) {
        Path rc = dir.resolve(name + ".rc");
        Path log = dir.resolve(name + ".log");
        if (!Files.exists(log) && !Files.exists(rc)) {
            return; // not started by the launcher (e.g. PERFBOX_TEST_TRIVY was given)
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(rc)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("./perfbox test's preparation '" + name + "' did not finish within "
                        + timeout.toMinutes() + " minutes; its log so far:\n" + PythonTool.tail(log));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the preparation '" + name + "'", e);
            }
        }
        String code = read(rc);
        if (!code.equals("0")) {
            throw new IllegalStateException("./perfbox test's preparation '" + name + "' failed (exit " + code
                    + "); the last lines of its log:\n" + PythonTool.tail(log));
        }
    }

    private static String read(Path rc) {
        try {
            List<String> lines = Files.readAllLines(rc, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
