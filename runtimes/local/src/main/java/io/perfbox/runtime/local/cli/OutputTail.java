package io.perfbox.runtime.local.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What {@code submit --wait} shows while it waits: the stage lines, and the job's output as it comes. On a
 * terminal the output goes into one progress line rewritten in place (elapsed time, stage, the newest output
 * line); piped, every output line is printed as it is, after "| ", so a log file keeps all of it.
 */
final class OutputTail {
    private static final int WIDTH = 100;
    private final PrintStream out;
    /** Where the progress line's own carriage return and erase-line go: past the escaping of {@code out}. */
    private final PrintStream control;
    private final boolean terminal;
    private final StringBuilder partial = new StringBuilder();
    private String newest = "";
    private boolean progressShown;

    OutputTail(PrintStream out, PrintStream control, boolean terminal) {
        this.out = out;
        this.control = control;
        this.terminal = terminal;
    }

    /** A new stage: its line printed; the progress line forgets the last stage's output (a build line under RUNNING misleads). */
    void stage(String line) {
        clearProgress();
        out.println(line);
        newest = "";
    }

    void output(String text) {
        partial.append(text);
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl).replace("\r", "");
            partial.delete(0, nl + 1);
            if (terminal) {
                if (!line.isBlank()) {
                    newest = line;
                }
            } else {
                out.println("  | " + line);
            }
        }
    }

    void progress(String status, Instant queued) {
        if (!terminal) {
            return;
        }
        String elapsed = queued == null ? "" : String.format(Locale.ROOT, "%.1fs ",
                Duration.between(queued, Instant.now()).toMillis() / 1000.0);
        String line = "  " + elapsed + status + (newest.isEmpty() ? "" : "  " + newest.strip());
        if (line.length() > WIDTH) {
            line = line.substring(0, WIDTH - 1) + "…";
        }
        // Carriage return and erase-line: the line is drawn again in place.
        eraseLine();
        out.print(line);
        out.flush();
        progressShown = true;
    }

    /** The rest of an unfinished last line (piped), and the progress line cleared (terminal). */
    void done() {
        if (!terminal && !partial.isEmpty()) {
            out.println("  | " + partial);
            partial.setLength(0);
        }
        clearProgress();
    }

    private void clearProgress() {
        if (progressShown) {
            eraseLine();
            progressShown = false;
        }
    }

    private void eraseLine() {
        out.flush();
        control.print("\r\u001b[2K");
        control.flush();
    }
}
