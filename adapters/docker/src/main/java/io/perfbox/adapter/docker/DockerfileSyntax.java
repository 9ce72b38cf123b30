package io.perfbox.adapter.docker;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the engine's parser (moby/buildkit's frontend/dockerfile/parser, which the classic builder
 * uses too) reads it: the escape directive, comment lines (indented ones too), line continuations (the escape
 * character, then only spaces and tabs, at the end of a line; comment and empty lines inside a continuation dropped,
 * the next line's leading whitespace kept), instruction keywords in any case, and a RUN's, COPY's or FROM's leading
 * {@code --flag} words. perfbox decides what a build may fetch and which cache it may reach from this reading, so
 * where the engine's versions or Go's and Java's notions of whitespace could read a file differently, it refuses the
 * file ({@link Refused}) rather than guess.
 */
public final class DockerfileSyntax {
    /** Go's regexp {@code \s}: ASCII only, as the engine's directive pattern uses it. */
    private static final Pattern DIRECTIVE = Pattern.compile("^#[ \\t]*([a-zA-Z][a-zA-Z0-9]*)[ \\t]*=[ \\t]*(.+?)[ \\t]*$");

    /** One instruction: its physical lines (1-based, inclusive), keyword in lower case, flags and the rest. */
    public record Instruction(int firstLine, int lastLine, String keyword, List<String> flags, String rest) {
    }

    /** The escape character, and the instructions in order. */
    public record Parsed(char escape, List<Instruction> instructions, boolean endsInContinuation) {
    }

    /** A Dockerfile perfbox will not build: its message names the line and says what to write instead. */
    public static final class Refused extends IllegalArgumentException {
        @Serial
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    private DockerfileSyntax() {
    }

    /** Go's {@code unicode.IsSpace}, which the engine's parser trims lines with. */
    static boolean isGoSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xa0 -> true;
            default -> c > 0xff && (Character.isSpaceChar(c));
        };
    }

    /** The text without a leading byte order mark, which the engine's parser discards. */
    static String withoutBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static String goTrimLeft(String s) {
        int i = 0;
        while (i < s.length() && isGoSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    private static boolean isComment(String line) {
        return goTrimLeft(line).startsWith("#");
    }

    private static boolean isEmpty(String line) {
        return goTrimLeft(line).isEmpty();
    }

    /**
     * The physical lines, as the engine's scanner gives them: a CR before the newline dropped, and a leading byte
     * order mark discarded (the engine drops it, so a FROM behind one is still a FROM).
     */
    static String[] lines(String text) {
        String[] lines = withoutBom(text).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].endsWith("\r")) {
                lines[i] = lines[i].substring(0, lines[i].length() - 1);
            }
        }
        return lines;
    }

    /**
     * Reads the Dockerfile, refusing what perfbox cannot read for certain as the engine does: whitespace other than
     * spaces and tabs outside comments (Go counts a no-break space as whitespace, and splits flags on single bytes of
     * multi-byte characters), an escape directive that is not the first line, a bad escape character.
     */
    public static Parsed parse(String text) {
        String[] lines = lines(text);
        char escape = '\\';
        int k = 0;
        for (; k < lines.length; k++) {
            Matcher d = DIRECTIVE.matcher(lines[k]);
            if (!d.matches()) {
                break;
            }
            if (d.group(1).toLowerCase(Locale.ROOT).equals("escape")) {
                if (k != 0) {
                    throw new Refused("line " + (k + 1) + ": perfbox takes the escape directive on the first line only"
                            + " (engines differ on directives after another one)");
                }
                String v = d.group(2);
                if (!v.equals("\\") && !v.equals("`")) {
                    throw new Refused("line 1: the escape character must be \\ or `, not '" + v + "'");
                }
                escape = v.charAt(0);
            }
        }
        for (int i = 0; i < lines.length; i++) {
            checkWhitespace(lines[i], i + 1);
        }
        List<Instruction> out = new ArrayList<>();
        boolean open = false;
        for (int i = k; i < lines.length; i++) {
            if (isComment(lines[i]) || isEmpty(lines[i])) {
                continue;
            }
            int first = i;
            StringBuilder logical = new StringBuilder();
            String piece = goTrimLeft(lines[i]);
            boolean continues = continues(piece, escape);
            logical.append(continues ? withoutContinuation(piece) : piece);
            while (continues && i + 1 < lines.length) {
                i++;
                if (isComment(lines[i]) || isEmpty(lines[i])) {
                    continue;
                }
                piece = lines[i];
                continues = continues(piece, escape);
                logical.append(continues ? withoutContinuation(piece) : piece);
            }
            open = continues;
            String line = logical.toString();
            if (line.isEmpty()) {
                continue;
            }
            out.add(instruction(first + 1, i + 1, line));
        }
        return new Parsed(escape, List.copyOf(out), open);
    }

    private static void checkWhitespace(String line, int number) {
        String trimmed = goTrimLeft(line);
        String lead = line.substring(0, line.length() - trimmed.length());
        boolean comment = trimmed.startsWith("#");
        String checked = comment ? lead : line;
        for (int j = 0; j < checked.length(); ) {
            int c = checked.codePointAt(j);
            if (c != ' ' && c != '\t' && (isGoSpace(c) || c == 0xfeff)) {
                throw new Refused("line " + number + ": U+" + String.format("%04X", c) + " (a whitespace character other "
                        + "than space or tab) is read differently by the builder's parser than it looks; write a plain space");
            }
            j += Character.charCount(c);
        }
    }

    /** The engine's continuation: the escape character, then only spaces and tabs, at the end of the line. */
    static boolean continues(String line, char escape) {
        int end = endBeforeBlanks(line);
        return end > 0 && line.charAt(end - 1) == escape;
    }

    private static String withoutContinuation(String line) {
        return line.substring(0, endBeforeBlanks(line) - 1);
    }

    /** Where the line ends before its trailing spaces and tabs. */
    private static int endBeforeBlanks(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return end;
    }

    private static Instruction instruction(int first, int last, String line) {
        String s = line.strip();
        int sp = 0;
        while (sp < s.length() && " \t\u000b\f\r".indexOf(s.charAt(sp)) < 0) {
            sp++;
        }
        String keyword = s.substring(0, sp).toLowerCase(Locale.ROOT);
        String args = s.substring(sp);
        List<String> flags = new ArrayList<>();
        String rest = args;
        if (List.of("run", "copy", "add", "from", "onbuild").contains(keyword)) {
            rest = extractFlags(args, flags, first);
        }
        return new Instruction(first, last, keyword, List.copyOf(flags), rest.strip());
    }

    /**
     * The leading {@code --name=value} words, as the engine's extractBuilderFlags takes them; a flag holding quotes,
     * a backslash or a character beyond ASCII is refused, since the engine unquotes and splits it byte by byte.
     */
    private static String extractFlags(String args, List<String> flags, int line) {
        int pos = 0;
        while (true) {
            while (pos < args.length() && (args.charAt(pos) == ' ' || args.charAt(pos) == '\t')) {
                pos++;
            }
            if (!args.startsWith("--", pos)) {
                return args.substring(pos);
            }
            int end = pos;
            while (end < args.length() && args.charAt(end) != ' ' && args.charAt(end) != '\t') {
                end++;
            }
            String word = args.substring(pos, end);
            if (word.equals("--")) {
                return args.substring(end);
            }
            for (int j = 0; j < word.length(); j++) {
                char c = word.charAt(j);
                if (c == '"' || c == '\'' || c == '\\' || c > 0x7e || c < 0x20) {
                    throw new Refused("line " + line + ": write the flag " + abbreviate(word) + " without quotes,"
                            + " backslashes or non-ASCII characters (the builder splits and unquotes flags its own way)");
                }
            }
            flags.add(word);
            pos = end;
        }
    }

    static String abbreviate(String s) {
        return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
    }

    /** One option of a {@code RUN --mount} spec as the engine splits it: key in lower case, value and field as written. */
    record MountOption(String key, String value, String field) {
    }

    /** The options of a mount spec (what follows {@code --mount=}), in order; a later one of a key wins. */
    static List<MountOption> mountOptions(String spec) {
        List<MountOption> out = new ArrayList<>();
        for (String field : spec.split(",", -1)) {
            int eq = field.indexOf('=');
            out.add(new MountOption((eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT),
                    eq < 0 ? "" : field.substring(eq + 1), field));
        }
        return out;
    }

    /** The value of {@code --name=value} among the flags, or null; {@code --name} given twice is refused. */
    static String flag(Instruction i, String name) {
        String found = null;
        for (String f : i.flags()) {
            if (f.startsWith("--" + name + "=")) {
                if (found != null) {
                    throw new Refused("line " + i.firstLine() + ": --" + name + " given twice");
                }
                found = f.substring(name.length() + 3);
            }
        }
        return found;
    }
}
