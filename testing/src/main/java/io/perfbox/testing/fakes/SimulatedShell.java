package io.perfbox.testing.fakes;

import io.perfbox.core.port.LogSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few shell commands the port contracts' builds and runs use, interpreted in memory: {@code echo WORDS} (to the
 * output, or {@code > /data/NAME}), {@code ln -s TARGET /data/NAME}, {@code sleep SECONDS}, {@code exit N},
 * {@code true}, separated by {@code ;}. Anything else is "not found" (127), as in a shell.
 */
final class SimulatedShell {

    /** Where a command's /data is: the job's workspace, or none (a build). */
    interface Data {
        void write(String name, byte[] content);

        void link(String name, String target);
    }

    /** How a command line ended: its exit code, or the deadline passed first (empty). */
    record Ended(Optional<Integer> exitCode, String output) {
    }

    private SimulatedShell() {
    }

    /** Runs {@code line} until it ends or {@code deadlineNanos} (System.nanoTime) passes; interruption rethrows. */
    static Ended run(String line, Data data, LogSink sink, long deadlineNanos) throws InterruptedException {
        StringBuilder output = new StringBuilder();
        int status = 0;
        for (String command : line.split(";")) {
            List<String> words = words(command);
            if (words.isEmpty()) {
                continue;
            }
            String name = words.get(0);
            List<String> args = words.subList(1, words.size());
            switch (name) {
                case "true" -> status = 0;
                case "exit" -> {
                    return new Ended(Optional.of(args.isEmpty() ? status : Integer.parseInt(args.get(0))), output.toString());
                }
                case "sleep" -> {
                    long until = System.nanoTime() + (long) (Double.parseDouble(args.get(0)) * 1e9);
                    while (System.nanoTime() < until) {
                        long left = Math.min(until, deadlineNanos) - System.nanoTime();
                        if (System.nanoTime() >= deadlineNanos) {
                            return new Ended(Optional.empty(), output.toString());
                        }
                        Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 100)));
                    }
                    status = 0;
                }
                case "echo" -> {
                    int redirect = args.indexOf(">");
                    String text = String.join(" ", redirect < 0 ? args : args.subList(0, redirect)) + "\n";
                    if (redirect < 0) {
                        print(text, output, sink);
                        status = 0;
                    } else {
                        status = toData(args.get(redirect + 1), data, output, sink,
                                d -> d.write(args.get(redirect + 1).substring("/data/".length()),
                                        text.getBytes(StandardCharsets.UTF_8)));
                    }
                }
                case "ln" -> {
                    String target = args.get(args.size() - 2);
                    String at = args.get(args.size() - 1);
                    status = toData(at, data, output, sink, d -> d.link(at.substring("/data/".length()), target));
                }
                default -> {
                    print("sh: 1: " + name + ": not found\n", output, sink);
                    status = 127;
                }
            }
            if (System.nanoTime() >= deadlineNanos) {
                return new Ended(Optional.empty(), output.toString());
            }
        }
        return new Ended(Optional.of(status), output.toString());
    }

    private interface DataWrite {
        void to(Data data);
    }

    private static int toData(String path, Data data, StringBuilder output, LogSink sink, DataWrite write) {
        if (data == null || !path.startsWith("/data/")) {
            print("sh: 1: cannot create " + path + ": Directory nonexistent\n", output, sink);
            return 2;
        }
        write.to(data);
        return 0;
    }

    private static void print(String text, StringBuilder output, LogSink sink) {
        output.append(text);
        sink.write(text);
    }

    /** Words as a shell splits them, single and double quotes removed ({@code >} a word of its own). */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : command.strip().toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
