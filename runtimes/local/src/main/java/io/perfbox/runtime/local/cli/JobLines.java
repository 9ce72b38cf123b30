package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/** A job as lines for a person: its outcome, its runs, its stages and its receipt. */
final class JobLines {
    private JobLines() {
    }

    /** The stages in order: the time each began, and its name. */
    static final List<List<String>> STAGES = List.of(List.of("queuedAt", "queued"), List.of("buildStartedAt", "building"),
            List.of("scanStartedAt", "scanning"), List.of("runStartedAt", "running"));

    /**
     * The outcome of a job, one "field: value" line each, as submit --wait and status print it: numbers as a person
     * writes them, the findings counted by severity, how long each stage took.
     */
    static void outcome(PrintStream out, JsonNode job, Instant now) {
        outcome(out, job, null, now);
    }

    /**
     * As above, with the job's scan report (GET /jobs/{id}/scan; null when not read): each misconfiguration the
     * Dockerfile has is a "misconfig:" line after the findings, a warning unless it blocked the job.
     */
    static void outcome(PrintStream out, JsonNode job, JsonNode scan, Instant now) {
        out.println("status:      " + job.get("status").asText());
        JsonNode failure = job.get("failure");
        if (failure != null && !failure.isNull()) {
            out.println("failure:     " + failure.path("code").asText());
            out.println("message:     " + failure.path("message").asText());
        }
        out.println("performance: " + Human.number(job.get("performance")));
        JsonNode metrics = job.get("metrics");
        if (metrics != null && !metrics.isEmpty()) {
            out.println("metrics:     " + String.join(" ", metrics.properties().stream()
                    .map(m -> m.getKey() + "=" + Human.number(m.getValue())).toList()));
        }
        runLines(out, job);
        JsonNode vulns = job.get("vulnerabilities");
        if (vulns != null && !vulns.isNull()) {
            out.println("findings:    " + Human.counts(vulns) + " (perfbox scan " + shortId(job) + " lists them)");
        }
        misconfigurationLines(out, scan);
        JsonNode warnings = job.get("warnings");
        if (warnings != null && warnings.isArray()) {
            for (JsonNode w : warnings) {
                out.println("warning:     " + w.asText());
            }
        }
        String stages = stageDurations(job.get("stages"), now);
        if (!stages.isEmpty()) {
            out.println("stages:      " + stages);
        }
    }

    /**
     * "misconfig:   DS002 (HIGH) Image user should not be 'root': Specify at least 1 USER ... (warning)", one line per
     * misconfiguration of the scan report; "(blocking)" for one at or above the threshold the job was judged by.
     */
    static void misconfigurationLines(PrintStream out, JsonNode scan) {
        JsonNode found = scan == null ? null : scan.get("misconfigurations");
        if (found == null || !found.isArray()) {
            return;
        }
        for (JsonNode m : found) {
            out.println("misconfig:   " + describe(m) + (m.path("blocking").asBoolean() ? " (blocking)" : " (warning)"));
        }
    }

    /** "DS002 (HIGH) Image user should not be 'root' at line 3: what to change", control characters replaced. */
    static String describe(JsonNode m) {
        StringBuilder sb = new StringBuilder(String.valueOf(text(m, "id"))).append(" (")
                .append(String.valueOf(text(m, "severity"))).append(')');
        if (text(m, "title") != null) {
            sb.append(' ').append(text(m, "title"));
        }
        if (m.path("startLine").canConvertToInt()) {
            int start = m.path("startLine").asInt();
            int end = m.path("endLine").canConvertToInt() ? m.path("endLine").asInt() : start;
            sb.append(end > start ? " at lines " + start + "-" + end : " at line " + start);
        }
        if (text(m, "message") != null) {
            sb.append(": ").append(text(m, "message"));
        }
        return sb.toString().replaceAll("[\\p{Cntrl}\\p{Cf}\\u2028\\u2029]", " ");
    }

    /** The first 8 characters of the job's id, as the console shows it (a prefix every command takes). */
    static String shortId(JsonNode job) {
        String id = job.path("id").asText();
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    /**
     * How long each stage the job reached took: "queued 0.1 s, building 12.3 s, scanning 4.0 s, running 2.1 s
     * (18.5 s in all)"; the stage under way "… so far". A stage ends where the next one it reached begins, or at
     * the job's end.
     */
    static String stageDurations(JsonNode stages, Instant now) {
        if (stages == null || !stages.isObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        Instant first = null;
        Instant finished = instant(stages, "finishedAt");
        for (int i = 0; i < STAGES.size(); i++) {
            Instant began = instant(stages, STAGES.get(i).get(0));
            if (began == null) {
                continue;
            }
            first = first == null ? began : first;
            Instant ended = null;
            for (int j = i + 1; j < STAGES.size() && ended == null; j++) {
                ended = instant(stages, STAGES.get(j).get(0));
            }
            ended = ended != null ? ended : finished;
            parts.add(STAGES.get(i).get(1) + " " + Human.duration(Duration.between(began, ended != null ? ended : now))
                    + (ended == null ? " so far" : ""));
        }
        if (first == null) {
            return "";
        }
        return String.join(", ", parts) + " (" + Human.duration(Duration.between(first, finished != null ? finished : now))
                + (finished != null ? " in all)" : " so far)");
    }

    private static Instant instant(JsonNode node, String field) {
        String t = text(node, field);
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The line a wait ends with, as gh run watch does: "job ID SUCCEEDED in 18.5 s: performance 0.99", "job ID FAILED
     * (RUN_FAILED) after 3.2 s", "job ID CANCELLED after 5.0 s".
     */
    static String finalLine(JsonNode job) {
        String status = job.path("status").asText();
        JsonNode stages = job.path("stages");
        Instant queued = instant(stages, "queuedAt");
        Instant finished = instant(stages, "finishedAt");
        String took = queued == null || finished == null ? ""
                : (status.equals("SUCCEEDED") ? " in " : " after ") + Human.duration(Duration.between(queued, finished));
        StringBuilder line = new StringBuilder("job " + job.path("id").asText() + " " + status);
        JsonNode failure = job.get("failure");
        if (status.equals("FAILED") && failure != null && failure.isObject()) {
            line.append(" (").append(failure.path("code").asText()).append(')');
        }
        line.append(took);
        if (status.equals("SUCCEEDED")) {
            line.append(": performance ").append(Human.number(job.get("performance")));
        }
        return line.toString();
    }

    /**
     * A job of several runs: "runs: 2 of 3 (median …, min …, max …, spread …)" and one "run k: value (duration)" line
     * per completed run. A job of one run prints none (its performance is its run's value).
     */
    static void runLines(PrintStream out, JsonNode job) {
        JsonNode runs = job.get("runs");
        if (runs == null || !runs.isInt() || runs.asInt() <= 1) {
            return;
        }
        JsonNode summary = job.get("runSummary");
        JsonNode results = job.get("runResults");
        int completed = results != null && results.isArray() ? results.size() : 0;
        StringBuilder line = new StringBuilder("runs:        " + completed + " of " + runs.asInt());
        if (summary != null && summary.isObject()) {
            line.append(" (median ").append(Human.number(summary.path("median"))).append(", min ")
                    .append(Human.number(summary.path("min"))).append(", max ").append(Human.number(summary.path("max")))
                    .append(", spread ").append(summary.path("spread").isNull() ? "-"
                            : String.format(Locale.ROOT, "%.2f%%", summary.path("spread").asDouble() * 100)).append(')');
        }
        out.println(line);
        if (results != null && results.isArray()) {
            for (JsonNode r : results) {
                JsonNode d = r.path("durationSeconds");
                out.println(String.format(Locale.ROOT, "%-13s", "run " + r.path("run").asInt() + ":") + Human.number(r.path("value"))
                        + (d.isNumber() ? String.format(Locale.ROOT, " (%.2f s)", d.asDouble()) : ""));
            }
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A job as a person reads it: id, name, when it was made, the outcome lines with its stages, its receipt. */
    static void jobLines(PrintStream out, JsonNode job, Instant now) {
        jobLines(out, job, null, now);
    }

    /** As above, with the job's scan report (null when not read) for its misconfigurations. */
    static void jobLines(PrintStream out, JsonNode job, JsonNode scan, Instant now) {
        out.println("id:          " + job.get("id").asText());
        if (text(job, "name") != null) {
            out.println("name:        " + text(job, "name"));
        }
        if (text(job, "createdAt") != null) {
            out.println("created:     " + Human.ago(text(job, "createdAt"), now) + " (" + text(job, "createdAt") + ")");
        }
        outcome(out, job, scan, now);
        receiptLines(out, job.get("receipt"));
    }

    /**
     * The job's run receipt, one "receipt X: value" line per part it has; "receipt: none" for a job from before
     * receipts. Every value is printed as text with control characters replaced (whatever the server sent).
     */
    static void receiptLines(PrintStream out, JsonNode receipt) {
        if (receipt == null || !receipt.isObject()) {
            out.println("receipt:     none (the job was submitted before perfbox kept receipts)");
            return;
        }
        line(out, "perfbox:    ", text(receipt, "perfboxVersion"));
        line(out, "dockerfile: ", text(receipt, "dockerfileSha256") == null ? null : "sha256 " + text(receipt, "dockerfileSha256"));
        line(out, "image:      ", text(receipt, "imageDigest"));
        JsonNode bases = receipt.get("baseImages");
        if (bases != null && bases.isArray()) {
            for (JsonNode b : bases) {
                line(out, "base image: ", String.join(" ", Stream.of(text(b, "name"), text(b, "digest"))
                        .filter(Objects::nonNull).toList()));
            }
        }
        JsonNode scanner = receipt.get("scanner");
        if (scanner != null && scanner.isObject()) {
            StringBuilder sc = new StringBuilder(String.join(" ", Stream.of(text(scanner, "name"),
                    text(scanner, "version")).filter(Objects::nonNull).toList()));
            if (text(scanner, "dbUpdatedAt") != null) {
                sc.append(", DB updated ").append(text(scanner, "dbUpdatedAt"));
            }
            if (text(scanner, "dbDownloadedAt") != null) {
                sc.append(", DB downloaded ").append(text(scanner, "dbDownloadedAt"));
            }
            line(out, "scanner:    ", sc.toString());
        }
        JsonNode limits = receipt.get("limits");
        if (limits != null && limits.isObject()) {
            List<String> parts = new ArrayList<>();
            bytes(parts, "memory", limits.get("memoryBytes"));
            if (limits.hasNonNull("cpus")) {
                parts.add("cpus " + limits.get("cpus").asText());
            }
            if (limits.hasNonNull("pids")) {
                parts.add("pids " + limits.get("pids").asText());
            }
            if (limits.hasNonNull("timeoutSeconds")) {
                parts.add("time " + limits.get("timeoutSeconds").asText() + " s");
            }
            bytes(parts, "/data", limits.get("dataBytes"));
            bytes(parts, "writable layer", limits.get("writableLayerBytes"));
            line(out, "limits:     ", String.join(", ", parts));
        }
        line(out, "cpuset:     ", text(receipt, "cpuset"));
        line(out, "runtime:    ", text(receipt, "containerRuntime"));
        line(out, "host CPU:   ", text(receipt, "hostCpuModel"));
        line(out, "kernel:     ", text(receipt, "kernel"));
    }

    private static void bytes(List<String> parts, String what, JsonNode n) {
        if (n != null && n.canConvertToLong()) {
            long b = n.asLong();
            parts.add(what + " " + (b % (1L << 30) == 0 ? (b >> 30) + " GiB" : b % (1L << 20) == 0 ? (b >> 20) + " MiB"
                    : b + " bytes"));
        }
    }

    private static void line(PrintStream out, String label, String value) {
        if (value != null && !value.isBlank()) {
            out.println("receipt " + label + value.replaceAll("[\\p{Cntrl}\\p{Cf}\\u2028\\u2029]", " "));
        }
    }
}
