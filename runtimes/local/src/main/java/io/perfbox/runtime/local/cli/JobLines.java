package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A job as lines for a person: its outcome, its runs, its stages and its receipt. */
final class JobLines {
    private JobLines() {
    }

    /** The outcome of an ended job, one "field: value" line each, as submit --wait and status print it. */
    static void outcome(PrintStream out, JsonNode job) {
        out.println("status:      " + job.get("status").asText());
        JsonNode failure = job.get("failure");
        if (failure != null && !failure.isNull()) {
            out.println("failure:     " + failure.get("code").asText());
            out.println("message:     " + failure.get("message").asText());
        }
        JsonNode perf = job.get("performance");
        out.println("performance: " + (perf == null || perf.isNull() ? "-" : perf.asText()));
        JsonNode metrics = job.get("metrics");
        if (metrics != null && !metrics.isEmpty()) {
            out.println("metrics:     " + String.join(" ", metrics.properties().stream()
                    .map(m -> m.getKey() + "=" + m.getValue().asText()).toList()));
        }
        runLines(out, job);
        JsonNode vulns = job.get("vulnerabilities");
        if (vulns != null && !vulns.isNull()) {
            out.println("findings:    " + vulns);
        }
        JsonNode warnings = job.get("warnings");
        if (warnings != null && warnings.isArray()) {
            for (JsonNode w : warnings) {
                out.println("warning:     " + w.asText());
            }
        }
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
            line.append(" (median ").append(summary.path("median").asText()).append(", min ")
                    .append(summary.path("min").asText()).append(", max ").append(summary.path("max").asText())
                    .append(", spread ").append(summary.path("spread").isNull() ? "-"
                            : String.format(Locale.ROOT, "%.2f%%", summary.path("spread").asDouble() * 100)).append(')');
        }
        out.println(line);
        if (results != null && results.isArray()) {
            for (JsonNode r : results) {
                JsonNode d = r.path("durationSeconds");
                out.println(String.format(Locale.ROOT, "%-13s", "run " + r.path("run").asInt() + ":") + r.path("value").asText()
                        + (d.isNumber() ? String.format(Locale.ROOT, " (%.2f s)", d.asDouble()) : ""));
            }
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A job as a person reads it: id, name, the outcome lines, and when each stage began. */
    static void jobLines(PrintStream out, JsonNode job) {
        out.println("id:          " + job.get("id").asText());
        if (text(job, "name") != null) {
            out.println("name:        " + text(job, "name"));
        }
        outcome(out, job);
        JsonNode stages = job.get("stages");
        StringBuilder times = new StringBuilder();
        for (var e : stages.properties()) {
            if (!e.getValue().isNull()) {
                times.append(times.isEmpty() ? "" : ", ").append(e.getKey().replace("At", "")).append(' ').append(e.getValue().asText());
            }
        }
        out.println("stages:      " + times);
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
                line(out, "base image: ", String.join(" ", java.util.stream.Stream.of(text(b, "name"), text(b, "digest"))
                        .filter(java.util.Objects::nonNull).toList()));
            }
        }
        JsonNode scanner = receipt.get("scanner");
        if (scanner != null && scanner.isObject()) {
            StringBuilder sc = new StringBuilder(String.join(" ", java.util.stream.Stream.of(text(scanner, "name"),
                    text(scanner, "version")).filter(java.util.Objects::nonNull).toList()));
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
