package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import static io.perfbox.runtime.local.cli.JobLines.text;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true, description = "Show a job's scan findings.")
final class ScanCommand extends ClientCommands.ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
    String id;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    ScanCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ApiClient.Response res = client.client(cli).get(jobPath(id, "/scan"));
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
            cli.out().println("scanner: " + text(report, "scanner") + " " + text(report, "scannerVersion")
                    + "; findings: " + report.get("counts"));
            Table table = new Table("SEVERITY", "VULNERABILITY", "PACKAGE", "INSTALLED", "FIXED", "TITLE");
            report.get("findings").forEach(f -> table.row(text(f, "severity"), text(f, "vulnerabilityId"),
                    text(f, "packageName"), text(f, "installedVersion"), text(f, "fixedVersion"), text(f, "title")));
            if (!table.isEmpty()) {
                cli.out().print(table.render());
            }
        }
        return ExitCode.OK.code;
    }
}
