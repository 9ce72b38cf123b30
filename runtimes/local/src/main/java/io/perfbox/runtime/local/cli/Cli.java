package io.perfbox.runtime.local.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command works with: where it prints, the environment it reads, and whether a person is watching.
 * {@code out} and {@code err} always escape control characters ({@link ControlEscapingStream}): they carry what jobs
 * wrote, and a view printed to a file or a pipe is read on a terminal later (JSON stays JSON: its escapes are JSON's). {@code rawOut} and {@code rawErr} are the streams themselves, for perfbox's own
 * terminal sequences (help colours, the progress line) and for {@code logs --raw}.
 */
record Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal,
           PrintStream rawOut, PrintStream rawErr) {

    /** Over the process's streams, both escaped; {@code logs} piped or {@code --raw} writes to {@code rawOut}. */
    static Cli over(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
        return new Cli(ControlEscapingStream.printStream(out), ControlEscapingStream.printStream(err),
                in, env, terminal, out, err);
    }

    /** The value of {@code option}, else of the environment variable, else null; blank counts as not given. */
    String optionOrEnv(String option, String envName) {
        String v = option != null ? option : env.get(envName);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** {@code raw} as an absolute path, a leading {@code ~} the home directory, as serve reads --data-dir. */
    Path path(String raw) {
        if (raw.equals("~") || raw.startsWith("~/")) {
            raw = env.getOrDefault("HOME", System.getProperty("user.home")) + raw.substring(1);
        }
        return Path.of(raw).toAbsolutePath().normalize();
    }

    /** The server's data dir a command names: {@code --data-dir}, else PERFBOX_DATA_DIR, else ~/.perfbox. */
    Path dataDir(String option) {
        String dir = optionOrEnv(option, "PERFBOX_DATA_DIR");
        return path(dir == null ? "~/.perfbox" : dir);
    }
}
