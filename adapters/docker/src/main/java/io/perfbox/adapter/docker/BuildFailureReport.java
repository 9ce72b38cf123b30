package io.perfbox.adapter.docker;

import io.perfbox.core.port.ImageBuilder.FailedStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a failed build failed, read from its output: the Dockerfile instruction (its first line in the customer's own
 * file, continuation lines counted), what went wrong, and the step's last lines of output.
 *
 * <p>BuildKit (Docker 20.10, {@code --progress plain}) names each step's vertex {@code #N [stage k/n] INSTRUCTION},
 * prefixes every line a step prints with {@code #N <seconds> }, and ends a failed one with {@code #N ERROR: ...}; the
 * 20.10 frontend prints no {@code Dockerfile:N} line, so the line comes from the Dockerfile itself: the k-th of the
 * stage's steps (FROM an image, RUN, COPY, ADD, WORKDIR; a FROM of an earlier stage, ARG, ENV and the other metadata
 * instructions are no step), checked against the instruction the vertex names. What a tenant's RUN prints always
 * carries the prefix, so it can never pass for a vertex, an error or a line number here.
 *
 * <p>The classic builder prints {@code Step k/n : INSTRUCTION} for every instruction of the text it was given (the
 * scoped text, {@link BuildCacheScope}, plus the labelling line) and a step's output bare. Its headers are taken only
 * in order (1, 2, 3, ...) and only where a real one can stand (first, or right after a {@code  ---> <id>} line), but a
 * tenant's RUN that prints such lines itself can still mislead this reading of its own build: BuildKit, the
 * default, is the builder to trust.
 *
 * <p>Public for the AWS runtime, whose build (CodeBuild's Docker engine, the same {@code docker build --progress
 * plain}) fails the same way: its AfterBuild step reads the build's log with {@link #fromBuildKit} and the Dockerfile
 * with {@link DockerfileSyntax}, so a build failure says the same on both runtimes. It stays beside the Dockerfile
 * parser it reads the steps with: both are Docker's formats, which core does not know.
 */
public final class BuildFailureReport {
    /** The longest instruction a failure message names; the rest is cut ("…"). */
    static final int MAX_INSTRUCTION_CHARS = 160;
    private static final int MAX_ERROR_CHARS = 300;
    /** Vertices whose output is followed at once: a build has as many as it has steps, and a few of its own. */
    private static final int MAX_VERTICES = 4096;

    private static final Pattern BK_VERTEX = Pattern.compile("^#(\\d{1,9}) \\[([^\\]]*)\\] (.*)$");
    private static final Pattern BK_ERROR = Pattern.compile("^#(\\d{1,9}) ERROR: (.*)$");
    private static final Pattern BK_OUTPUT = Pattern.compile("^#(\\d{1,9}) \\d+\\.\\d+(?: (.*))?$");
    private static final Pattern BK_SUMMARY = Pattern.compile("^ > \\[([^\\]]*)\\] (.*):$");
    private static final Pattern BK_EXIT = Pattern.compile("\\]: exit code: (\\d+)\\s*$", Pattern.MULTILINE);
    private static final Pattern STEP_OF = Pattern.compile("(\\d+)/(\\d+)");

    private static final Pattern CLASSIC_STEP = Pattern.compile("^Step (\\d+)/(\\d+) : (.*)$");
    private static final Pattern CLASSIC_COMMITTED = Pattern.compile("^ ---> [0-9a-f]{12,64}\\s*$");
    private static final Pattern CLASSIC_NOISE = Pattern.compile(
            "^(?: ---> .*|Removing intermediate container [0-9a-f]+\\s*)$");
    /** The end of the classic builder's line for a failed RUN (its command, quoted before it, may span lines). */
    private static final Pattern CLASSIC_RUN_FAILED = Pattern.compile(
            "' returned a non-zero code: (\\d+)\\s*$", Pattern.MULTILINE);
    private static final Pattern CLASSIC_COPY_FAILED = Pattern.compile("^(?:COPY|ADD) failed: (.*)$", Pattern.MULTILINE);

    private static final Set<String> STEP_KEYWORDS = Set.of("run", "copy", "add", "workdir");

    /** The instruction a build failed at, what went wrong, and the end of the step's output. */
    public record Located(int line, String instruction, String error, List<String> lastOutput) {
        /** One line naming the line, the instruction and the error: "line 3: RUN exit 3: exit code 3". */
        public String reason() {
            return "line " + line + ": " + instruction + ": " + error;
        }

        /** The failed step as a builder reports it. */
        public FailedStep step() {
            return new FailedStep(line, lastOutput);
        }
    }

    private BuildFailureReport() {
    }

    // ---- BuildKit ----

    /** Where a BuildKit build of {@code dockerfile} (the customer's, as parsed) failed; empty when it cannot tell. */
    public static Optional<Located> fromBuildKit(String log, DockerfileSyntax.Parsed dockerfile) {
        String[] lines = log.split("\n", -1);
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Deque<String>> output = new HashMap<>();
        Integer failed = null;
        int errorAt = -1;
        String error = null;
        for (int i = 0; i < lines.length && failed == null; i++) {
            String line = lines[i];
            Matcher m;
            if ((m = BK_OUTPUT.matcher(line)).matches()) {
                Deque<String> out = output.get(Integer.parseInt(m.group(1)));
                if (out != null) {
                    out.addLast(m.group(2) == null ? "" : m.group(2));
                    if (out.size() > FailedStep.MAX_OUTPUT_LINES) {
                        out.removeFirst();
                    }
                }
            } else if ((m = BK_ERROR.matcher(line)).matches()) {
                int vertex = Integer.parseInt(m.group(1));
                if (isStep(names.get(vertex))) {
                    failed = vertex;
                    errorAt = i;
                    error = m.group(2);
                }
            } else if ((m = BK_VERTEX.matcher(line)).matches()) {
                int vertex = Integer.parseInt(m.group(1));
                // A vertex is named the first time it shows; what a later line claims for it is not taken.
                if (!names.containsKey(vertex) && names.size() < MAX_VERTICES) {
                    names.put(vertex, m.group(2) + "] " + m.group(3));
                    output.put(vertex, new ArrayDeque<>());
                }
            }
        }
        if (failed == null) {
            // No step's ERROR line (cut from a flooded log's middle, say): the CLI's summary names the step.
            for (int i = lines.length - 2; i >= 0 && failed == null; i--) {
                Matcher s = BK_SUMMARY.matcher(lines[i + 1]);
                if (lines[i].equals("------") && s.matches()) {
                    String name = s.group(1) + "] " + s.group(2);
                    for (Map.Entry<Integer, String> e : names.entrySet()) {
                        if (e.getValue().equals(name)) {
                            failed = e.getKey();
                        }
                    }
                    if (failed == null) {
                        return locate(dockerfile, s.group(1), s.group(2), lastLine(lines), List.of(),
                                String.join("\n", List.of(lines).subList(i, lines.length)));
                    }
                    errorAt = i;
                    error = lastLine(lines);
                }
            }
            if (failed == null) {
                return Optional.empty();
            }
        }
        String name = names.get(failed);
        int close = name.indexOf("] ");
        String rest = String.join("\n", List.of(lines).subList(errorAt, lines.length));
        return locate(dockerfile, name.substring(0, close), name.substring(close + 2), error,
                List.copyOf(output.get(failed)), rest);
    }

    private static boolean isStep(String name) {
        if (name == null) {
            return false;
        }
        String[] words = name.substring(0, name.indexOf("] ")).split(" ");
        return STEP_OF.matcher(words[words.length - 1]).matches();
    }

    private static String lastLine(String[] lines) {
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "";
    }

    /** The instruction that BuildKit's {@code [stage k/n]} and name point at, with the error said plainly. */
    private static Optional<Located> locate(DockerfileSyntax.Parsed dockerfile, String bracket, String text,
                                            String error, List<String> lastOutput, String after) {
        String[] words = bracket.split(" ");
        Matcher kn = STEP_OF.matcher(words[words.length - 1]);
        if (!kn.matches()) {
            return Optional.empty();
        }
        int k = Integer.parseInt(kn.group(1));
        int n = Integer.parseInt(kn.group(2));
        String label = words.length >= 2 ? words[words.length - 2] : null;
        List<Stage> stages = stages(dockerfile);
        DockerfileSyntax.Instruction found = null;
        for (int s = 0; s < stages.size(); s++) {
            Stage stage = stages.get(s);
            boolean named = stages.size() == 1 ? label == null
                    : label != null && (label.equalsIgnoreCase(stage.alias()) || label.equals("stage-" + s));
            if (named && n == stage.steps().size() && k >= 1 && k <= n
                    && firstWord(text).equalsIgnoreCase(stage.steps().get(k - 1).keyword())) {
                found = stage.steps().get(k - 1);
            }
        }
        if (found == null) {
            // The count disagrees (an instruction this reading does not know to be a step): the name alone, if one fits.
            List<DockerfileSyntax.Instruction> same = dockerfile.instructions().stream()
                    .filter(i -> normalized(display(i)).equalsIgnoreCase(normalized(text))).toList();
            if (same.size() != 1) {
                return Optional.empty();
            }
            found = same.get(0);
        }
        return Optional.of(new Located(found.firstLine(), shortened(display(found)), plainError(found, error, after),
                lastOutput));
    }

    private static String plainError(DockerfileSyntax.Instruction at, String error, String after) {
        if (at.keyword().equals("run")) {
            Matcher exit = BK_EXIT.matcher(after);
            if (exit.find()) {
                return "exit code: " + exit.group(1);
            }
        }
        if ((at.keyword().equals("copy") || at.keyword().equals("add")) && error.contains("not found")
                && DockerfileSyntax.flag(at, "from") == null) {
            return error.replaceFirst("^failed to compute cache key: ", "").replaceFirst(": not found$", "")
                    + WHOLE_CONTEXT;
        }
        return shortenedError(error);
    }

    /** Said of a COPY or ADD of a file that is not there: the only file a build is given is its Dockerfile. */
    static final String WHOLE_CONTEXT = "; the Dockerfile is the whole build context, so there is no other file to"
            + " COPY or ADD: make the file in a RUN step, or COPY --from=STAGE out of an earlier stage";

    // ---- the classic builder ----

    /**
     * Where a classic build failed: {@code scoped} is the text it was given (its "Step k/n" count that, plus the
     * labelling line), {@code dockerfile} the customer's own file, whose lines the answer names.
     */
    static Optional<Located> fromClassic(String log, DockerfileSyntax.Parsed dockerfile, BuildCacheScope.Scoped scoped) {
        List<DockerfileSyntax.Instruction> given;
        try {
            given = DockerfileSyntax.parse(scoped.text()).instructions();
        } catch (DockerfileSyntax.Refused e) {
            return Optional.empty();
        }
        String[] lines = log.split("\n", -1);
        int step = 0;
        int headerAt = -1;
        String previous = null;
        for (int i = 0; i < lines.length; i++) {
            Matcher m = CLASSIC_STEP.matcher(lines[i]);
            if (m.matches()) {
                int k = Integer.parseInt(m.group(1));
                int n = Integer.parseInt(m.group(2));
                boolean where = step == 0 || previous != null && CLASSIC_COMMITTED.matcher(previous).matches();
                if (k == step + 1 && (n == given.size() || n == given.size() + 1) && k <= given.size() && where
                        && firstWord(m.group(3)).equalsIgnoreCase(given.get(k - 1).keyword())) {
                    step = k;
                    headerAt = i;
                }
            }
            if (!lines[i].isBlank()) {
                previous = lines[i];
            }
        }
        if (step == 0) {
            return Optional.empty();
        }
        DockerfileSyntax.Instruction at = given.get(step - 1);
        if (scoped.addedLines().contains(at.firstLine())) {
            return Optional.empty();
        }
        int line = scoped.customerLine(at.firstLine());
        DockerfileSyntax.Instruction own = dockerfile.instructions().stream().filter(i -> i.firstLine() == line)
                .findFirst().orElse(null);
        if (own == null) {
            return Optional.empty();
        }
        String after = String.join("\n", List.of(lines).subList(headerAt + 1, lines.length));
        String error;
        int errorStart;
        Matcher run = CLASSIC_RUN_FAILED.matcher(after);
        Matcher copy = CLASSIC_COPY_FAILED.matcher(after);
        int lastRun = -1;
        String code = null;
        while (run.find()) {
            lastRun = run.start();
            code = run.group(1);
        }
        if (lastRun >= 0) {
            int opening = after.lastIndexOf("The command '", lastRun);
            lastRun = opening >= 0 ? opening : lastRun;
        }
        if (code != null && own.keyword().equals("run")) {
            error = "exit code: " + code;
            errorStart = lastRun;
        } else if (copy.find() && (own.keyword().equals("copy") || own.keyword().equals("add"))) {
            errorStart = copy.start();
            error = DockerfileSyntax.flag(own, "from") == null ? copy.group(1) + WHOLE_CONTEXT : shortenedError(copy.group(1));
        } else {
            String last = lastLine(after.split("\n", -1));
            error = shortenedError(last.isEmpty() ? "the step failed" : last);
            errorStart = Math.max(0, after.lastIndexOf(last));
        }
        Deque<String> tail = new ArrayDeque<>();
        for (String l : after.substring(0, errorStart).split("\n", -1)) {
            if (!CLASSIC_NOISE.matcher(l).matches()) {
                tail.addLast(l);
                if (tail.size() > FailedStep.MAX_OUTPUT_LINES) {
                    tail.removeFirst();
                }
            }
        }
        while (!tail.isEmpty() && tail.peekLast().isEmpty()) {
            tail.removeLast();
        }
        return Optional.of(new Located(own.firstLine(), shortened(display(own)), error, List.copyOf(tail)));
    }

    // ---- the Dockerfile's stages and steps ----

    /** A build stage: its alias (lower case; null without one) and its steps in order. */
    private record Stage(String alias, List<DockerfileSyntax.Instruction> steps) {
    }

    private static List<Stage> stages(DockerfileSyntax.Parsed dockerfile) {
        List<Stage> stages = new ArrayList<>();
        Set<String> aliases = new HashSet<>();
        for (DockerfileSyntax.Instruction i : dockerfile.instructions()) {
            if (i.keyword().equals("from")) {
                String[] words = i.rest().split("[ \\t]+");
                String image = words[0].toLowerCase(Locale.ROOT);
                String alias = words.length >= 3 && words[1].equalsIgnoreCase("as") ? words[2].toLowerCase(Locale.ROOT) : null;
                List<DockerfileSyntax.Instruction> steps = new ArrayList<>();
                // FROM an earlier stage, or FROM scratch, has no vertex of its own.
                if (!aliases.contains(image) && !image.equals("scratch")) {
                    steps.add(i);
                }
                stages.add(new Stage(alias, steps));
                if (alias != null) {
                    aliases.add(alias);
                }
            } else if (!stages.isEmpty() && STEP_KEYWORDS.contains(i.keyword())) {
                stages.get(stages.size() - 1).steps().add(i);
            }
        }
        return stages;
    }

    /** The instruction as a person reads it: keyword in upper case, flags and arguments, runs of blanks as one. */
    static String display(DockerfileSyntax.Instruction i) {
        StringBuilder b = new StringBuilder(i.keyword().toUpperCase(Locale.ROOT));
        i.flags().forEach(f -> b.append(' ').append(f));
        if (!i.rest().isEmpty()) {
            b.append(' ').append(i.rest());
        }
        return normalized(b.toString());
    }

    private static String normalized(String s) {
        return s.strip().replaceAll("[ \\t]+", " ");
    }

    private static String shortened(String s) {
        return s.length() <= MAX_INSTRUCTION_CHARS ? s : s.substring(0, MAX_INSTRUCTION_CHARS - 1) + "…";
    }

    private static String shortenedError(String s) {
        String t = s.strip();
        return t.length() <= MAX_ERROR_CHARS ? t : t.substring(0, MAX_ERROR_CHARS - 1) + "…";
    }

    private static String firstWord(String s) {
        String t = s.strip();
        int sp = 0;
        while (sp < t.length() && t.charAt(sp) != ' ' && t.charAt(sp) != '\t') {
            sp++;
        }
        return t.substring(0, sp);
    }
}
