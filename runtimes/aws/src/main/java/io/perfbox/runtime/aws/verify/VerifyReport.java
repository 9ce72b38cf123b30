package io.perfbox.runtime.aws.verify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The markdown report of a verify run, for a person to paste into a GitHub issue. Every text that comes from the
 * deployed stack (a job's message, an id) is written as inert text: control characters as visible escapes (the
 * report is printed on a terminal too), table-breaking characters escaped.
 */
public final class VerifyReport {
    private VerifyReport() {
    }

    /**
     * Where the run happened.
     *
     * @param stack    the stack's name
     * @param region   its region
     * @param account  its account id, or "" when unknown
     * @param started  when the matrix started
     * @param version  perfbox's version (or commit)
     */
    public record Setting(String stack, String region, String account, Instant started, String version) {
    }

    /** The report of the scenarios' results. */
    public static String markdown(Setting setting, List<MatrixRunner.Result> results) {
        long passed = results.stream().filter(MatrixRunner.Result::asExpected).count();
        StringBuilder md = new StringBuilder();
        md.append("## perfbox aws verify: ").append(passed).append(" of ").append(results.size())
                .append(" scenarios as the local runtime answers\n\n");
        md.append("- perfbox: ").append(cell(setting.version())).append('\n');
        md.append("- stack: `").append(cell(setting.stack())).append("` in ").append(cell(setting.region()));
        if (!setting.account().isEmpty()) {
            md.append(" (account ").append(cell(mask(setting.account()))).append(')');
        }
        md.append('\n');
        md.append("- settings:");
        VerifyMatrix.STACK_CONTEXT.forEach((k, v) -> md.append(" `").append(k).append('=').append(v).append('`'));
        md.append('\n');
        md.append("- started: ").append(setting.started()).append("\n\n");
        md.append("| scenario | expected (local runtime) | got on AWS | time | verdict |\n");
        md.append("|---|---|---|---|---|\n");
        for (MatrixRunner.Result r : results) {
            md.append("| ").append(cell(r.scenario().name()))
                    .append(" | ").append(cell(expectedSummary(r.scenario())))
                    .append(" | ").append(cell(r.got()))
                    .append(" | ").append(duration(r.took()))
                    .append(" | ").append(r.asExpected() ? "as expected" : "**differs**").append(" |\n");
        }
        List<MatrixRunner.Result> differing = results.stream().filter(r -> !r.asExpected()).toList();
        if (!differing.isEmpty()) {
            md.append("\n### Differences\n");
            for (MatrixRunner.Result r : differing) {
                md.append("\n**").append(cell(r.scenario().name())).append("** (local evidence: `")
                        .append(cell(r.scenario().localEvidence())).append("`)\n\n");
                for (String d : r.differences()) {
                    md.append("- ").append(cell(d)).append('\n');
                }
            }
        }
        md.append("\n<details><summary>jobs</summary>\n\n");
        for (MatrixRunner.Result r : results) {
            for (MatrixRunner.JobEnd job : r.jobs()) {
                md.append("- ").append(cell(r.scenario().name())).append(": `").append(cell(job.id())).append("` ")
                        .append(cell(job.summary())).append('\n');
            }
        }
        md.append("\n</details>\n");
        return md.toString();
    }

    /** The account id with all but its last four digits hidden: enough to tell two runs apart, not to target. */
    static String mask(String account) {
        return account.length() <= 4 ? account : "…" + account.substring(account.length() - 4);
    }

    static String expectedSummary(VerifyMatrix.Scenario s) {
        if (s.kind() == VerifyMatrix.Kind.BURST) {
            return s.expected().size() + " × SUCCEEDED (perf 1 to " + s.expected().size() + "), at most "
                    + VerifyMatrix.CAP + " in flight";
        }
        VerifyMatrix.Expected e = s.expected().get(0);
        return e.summary() + (e.messageContains() == null ? "" : ", message mentions \"" + e.messageContains() + "\"");
    }

    /** A number as written in perf.json: no trailing zeros, no exponent for ordinary sizes. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    /**
     * Text as one table cell: control characters (ESC, newlines, bidi overrides...) as {@code \\uXXXX}, and the
     * characters that would end the cell or start markup ({@code |}, backtick, {@code <}) escaped.
     */
    static String cell(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04X", c));
            } else if (c == '|' || c == '`' || c == '<' || c == '>' || c == '*' || c == '_' || c == '[' || c == ']'
                    || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** A job's outcome as the report writes it, expected or observed: status / code, perf, metrics. */
    static StringBuilder outcome(String status, String failureCode, Double performance, Map<String, Double> metrics) {
        StringBuilder s = new StringBuilder(status);
        if (failureCode != null) {
            s.append(" / ").append(failureCode);
        }
        if (performance != null) {
            s.append(", perf ").append(number(performance));
        }
        return s.append(metrics(metrics));
    }

    /** The metrics of a job as the report lists them. */
    static String metrics(Map<String, Double> metrics) {
        StringBuilder s = new StringBuilder();
        metrics.forEach((k, v) -> s.append(", ").append(k).append(' ').append(number(v)));
        return s.toString();
    }
}
