package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import static io.perfbox.runtime.local.cli.JobLines.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Show a job's scan findings, then its Dockerfile's misconfigurations (warnings), the worst first; those that blocked its run are marked *, with the threshold.",
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox scan 3f2b8c9e       the findings, as a table on a terminal",
                "  perfbox scan 3f2b8c9e -q    the vulnerability ids, one a line"})
final class ScanCommand extends ClientCommands.ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the job's id, or a unique prefix of 4 or more of its characters (as docker takes them)")
    String id;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    ScanCommand(Cli cli) {
        super(cli);
    }

    @Override
    Integer run() throws IOException, InterruptedException {
        ApiClient api = client.client(cli);
        String job = jobId(api, id);
        ApiClient.Response res = api.get(jobPath(job, "/scan"));
        if (!res.ok()) {
            return refused(res);
        }
        JsonNode report = res.body();
        if (quiet.quiet) {
            report.get("findings").forEach(f -> cli.out().println(f.get("vulnerabilityId").asText()));
        } else if (format.resolve(cli) == Format.JSON) {
            json(report);
        } else if (!report.get("scanned").asBoolean()) {
            cli.out().println("not scanned (job " + report.get("status").asText() + ")");
        } else {
            ApiClient.Response jobRes = api.get(jobPath(job, ""));
            if (!jobRes.ok()) {
                return refused(jobRes);
            }
            Verdict verdict = Verdict.of(jobRes.body(), report.get("thresholds"));
            cli.out().println("scanner: " + text(report, "scanner") + " " + text(report, "scannerVersion")
                    + "; findings: " + Human.counts(report.get("counts")));
            List<JsonNode> findings = new ArrayList<>();
            report.get("findings").forEach(findings::add);
            // The worst first; within a severity, by id, so the same report always reads the same.
            findings.sort(Comparator.comparingInt((JsonNode f) -> Human.severityRank(text(f, "severity")))
                    .thenComparing(f -> String.valueOf(text(f, "vulnerabilityId"))));
            List<JsonNode> blocking = verdict.blocking(findings);
            cli.out().println("threshold: " + verdict.describe(blocking.size()));
            Table table = new Table("", "SEVERITY", "VULNERABILITY", "PACKAGE", "INSTALLED", "FIXED", "TITLE");
            for (JsonNode f : findings) {
                table.row(blocking.contains(f) ? "*" : "", text(f, "severity"), text(f, "vulnerabilityId"),
                        text(f, "packageName"), text(f, "installedVersion"), text(f, "fixedVersion"), text(f, "title"));
            }
            if (!table.isEmpty()) {
                cli.out().print(table.render());
            }
            misconfigurations(report, jobRes.body());
        }
        return ExitCode.OK.code;
    }

    /**
     * The Dockerfile checks the Dockerfile fails, the worst first, after the findings: warnings, but for those at or
     * above the server's --misconfig-threshold (marked *).
     */
    private void misconfigurations(JsonNode report, JsonNode job) {
        List<JsonNode> found = new ArrayList<>();
        JsonNode listed = report.get("misconfigurations");
        if (listed != null && listed.isArray()) {
            listed.forEach(found::add);
        }
        found.sort(Comparator.comparingInt((JsonNode m) -> Human.severityRank(text(m, "severity")))
                .thenComparing(m -> String.valueOf(text(m, "id"))));
        long blocking = found.stream().filter(m -> m.path("blocking").asBoolean()).count();
        JsonNode thresholds = report.get("thresholds");
        String threshold = thresholds == null || !thresholds.isObject() ? null : text(thresholds, "misconfigurations");
        if ((thresholds == null || !thresholds.isObject()) && found.isEmpty()) {
            // A report the gate did not record its thresholds with: from before perfbox ran the checks.
            cli.out().println("misconfigurations: not checked (the job was scanned before perfbox ran Trivy's "
                    + "Dockerfile checks)");
            return;
        }
        StringBuilder line = new StringBuilder("misconfigurations: " + found.size() + " (Trivy's Dockerfile checks); ");
        if (thresholds == null || !thresholds.isObject()) {
            line.append("the server's --misconfig-threshold is not known for this job");
        } else if (threshold == null) {
            line.append("warnings only (the server has no --misconfig-threshold)");
        } else if (blocking == 0) {
            line.append("threshold ").append(threshold).append(" (the server's --misconfig-threshold): none blocking");
        } else {
            line.append("threshold ").append(threshold).append(" (the server's --misconfig-threshold): ").append(blocking)
                    .append(" blocking, marked *")
                    .append(job.path("failure").path("code").asText().equals("MISCONFIGURED")
                            ? ", ended the job MISCONFIGURED" : "");
        }
        cli.out().println(line);
        Table table = new Table("", "SEVERITY", "CHECK", "LINE", "TITLE", "MESSAGE");
        for (JsonNode m : found) {
            String lines = m.path("startLine").canConvertToInt() ? m.path("startLine").asText()
                    + (m.path("endLine").canConvertToInt() && m.path("endLine").asInt() > m.path("startLine").asInt()
                    ? "-" + m.path("endLine").asText() : "") : "";
            table.row(m.path("blocking").asBoolean() ? "*" : "", text(m, "severity"), text(m, "id"), lines,
                    text(m, "title"), text(m, "message"));
        }
        if (!table.isEmpty()) {
            cli.out().print(table.render());
        }
    }

    /**
     * What the scan decided about the findings: from the thresholds the report records the job was judged by, when it
     * does; else from the job (a report from before perfbox recorded them): a job it stopped names the threshold in
     * its failure ("2 findings at or above HIGH: …"); a job that went on to run had none at or above it.
     */
    record Verdict(String threshold, int blockingCount, boolean passed) {
        private static final Pattern BLOCKED = Pattern.compile("(\\d+) findings? at or above ([A-Z]+)");

        static Verdict of(JsonNode job) {
            return of(job, null);
        }

        static Verdict of(JsonNode job, JsonNode thresholds) {
            JsonNode failure = job.get("failure");
            boolean vulnerable = failure != null && failure.isObject()
                    && failure.path("code").asText().equals("VULNERABLE");
            if (vulnerable) {
                Matcher m = BLOCKED.matcher(failure.path("message").asText());
                if (m.find()) {
                    return new Verdict(m.group(2), Integer.parseInt(m.group(1)), false);
                }
            }
            if (thresholds != null && thresholds.isObject() && text(thresholds, "vulnerabilities") != null) {
                // Judged, and not VULNERABLE: no finding blocked (a MISCONFIGURED job passed this threshold).
                return new Verdict(null, 0, true);
            }
            JsonNode run = job.path("stages").get("runStartedAt");
            boolean passed = job.path("status").asText().equals("SUCCEEDED") || run != null && !run.isNull();
            return new Verdict(null, 0, passed);
        }

        /**
         * The findings that blocked the run: those at or above the threshold; when fewer blocked than that (the
         * server ignores findings without a fix, --ignore-unfixed), those of them with a fixed version.
         */
        List<JsonNode> blocking(List<JsonNode> sorted) {
            if (threshold == null) {
                return List.of();
            }
            int rank = Human.severityRank(threshold);
            List<JsonNode> atOrAbove = sorted.stream().filter(f -> Human.severityRank(text(f, "severity")) <= rank).toList();
            if (atOrAbove.size() != blockingCount) {
                List<JsonNode> fixed = atOrAbove.stream().filter(f -> text(f, "fixedVersion") != null
                        && !text(f, "fixedVersion").isBlank()).toList();
                if (fixed.size() == blockingCount) {
                    return fixed;
                }
            }
            return atOrAbove;
        }

        String describe(int marked) {
            if (threshold != null) {
                return threshold + " (the server's --severity-threshold): " + marked + " blocking finding"
                        + (marked == 1 ? "" : "s") + ", marked *, ended the job VULNERABLE";
            }
            if (passed) {
                return "none blocking: no finding reached the server's --severity-threshold, and the job went on to run";
            }
            return "the server's --severity-threshold; whether a finding blocks is not known yet (the job has not passed"
                    + " the scan)";
        }
    }
}
