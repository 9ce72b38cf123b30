package io.perfbox.runtime.local.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** What every command works with: where it prints, the environment it reads, and whether a person is watching. */
record Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {

    /** The value of {@code option}, else of the environment variable, else null; blank counts as not given. */
    String optionOrEnv(String option, String envName) {
        String v = option != null ? option : env.get(envName);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
