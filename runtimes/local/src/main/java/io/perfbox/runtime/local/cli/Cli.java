package io.perfbox.runtime.local.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What every command works with: where it prints, the environment it reads, and whether a person is watching.
 * {@code out} and {@code err} escape control characters when a person may read them ({@link ControlEscapingStream}):
 * they carry what jobs wrote. {@code rawOut} and {@code rawErr} are the streams themselves, for perfbox's own
 * terminal sequences (help colours, the progress line) and for {@code logs --raw}.
 */
record Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal,
           PrintStream rawOut, PrintStream rawErr) {

    /** Over the process's streams: stdout escaped on a terminal (piped it stays byte-exact), stderr always. */
    static Cli over(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
        return new Cli(terminal ? ControlEscapingStream.printStream(out) : out, ControlEscapingStream.printStream(err),
                in, env, terminal, out, err);
    }

    /** The value of {@code option}, else of the environment variable, else null; blank counts as not given. */
    String optionOrEnv(String option, String envName) {
        String v = option != null ? option : env.get(envName);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
