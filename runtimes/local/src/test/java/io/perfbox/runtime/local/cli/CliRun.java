package io.perfbox.runtime.local.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One run of the CLI in this JVM, as a user's shell would see it: exit code, stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    /** As from a script: stdout is not a terminal, so views print JSON. */
    static CliRun of(Map<String, String> env, String... args) {
        return run(false, env, args);
    }

    /** As a person at a terminal sees it: views print tables. */
    static CliRun onTerminal(Map<String, String> env, String... args) {
        return run(true, env, args);
    }

    private static CliRun run(boolean terminal, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new PerfboxCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, terminal)
                .run(List.of(args));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The last line printed (where `keys create` puts the key). */
    String lastLine() {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
