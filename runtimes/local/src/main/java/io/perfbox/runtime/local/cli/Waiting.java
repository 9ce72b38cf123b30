package io.perfbox.runtime.local.cli;

import java.io.PrintStream;

/**
 * While {@code submit --wait} or {@code logs -f} waits for a job: Ctrl-C (SIGINT) stops the waiting, not the job.
 * The JVM runs its shutdown hooks on SIGINT and then exits 130 (128 + 2); the hook held here says the job goes on
 * and how to follow, see or stop it. Closed once the wait is over, so a normal exit prints nothing.
 */
final class Waiting implements AutoCloseable {
    private final Thread hook;

    Waiting(PrintStream err, String id) {
        hook = new Thread(() -> {
            err.println();
            err.println("perfbox: stopped waiting; job " + id + " goes on (it is not cancelled): perfbox logs -f " + id
                    + " follows it, perfbox status " + id + " shows it, perfbox cancel " + id + " stops it");
            err.flush();
        }, "perfbox-wait-notice");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already: the hook runs (or ran) and says so.
        }
    }
}
