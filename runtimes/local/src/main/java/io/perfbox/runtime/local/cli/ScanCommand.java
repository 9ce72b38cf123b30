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
        description = "Show a job's scan findings, the worst first; those that blocked its run are marked *, with the threshold.",
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
            Verdict verdict = Verdict.of(jobRes.body());
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
        }
        return ExitCode.OK.code;
    }

    /**
     * What the scan decided, from the job: the API does not state the server's threshold, but a job it stopped
     * names it in its failure ("2 findings at or above HIGH: …"); a job that went on to run had none at or above it.
     */
    record Verdict(String threshold, int blockingCount, boolean passed) {
        private static final Pattern BLOCKED = Pattern.compile("(\\d+) findings? at or above ([A-Z]+)");

        static Verdict of(JsonNode job) {
            JsonNode failure = job.get("failure");
            if (failure != null && failure.isObject() && failure.path("code").asText().equals("VULNERABLE")) {
                Matcher m = BLOCKED.matcher(failure.path("message").asText());
                if (m.find()) {
                    return new Verdict(m.group(2), Integer.parseInt(m.group(1)), false);
                }
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
