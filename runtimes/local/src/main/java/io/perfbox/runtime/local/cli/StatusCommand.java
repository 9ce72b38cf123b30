package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import static io.perfbox.runtime.local.cli.JobLines.jobLines;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job: status, failure, performance, findings, stage times.")
final class StatusCommand extends ClientCommands.ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
    String id;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    StatusCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ApiClient.Response res = client.client(cli).get(jobPath(id, ""));
        if (!res.ok()) {
            return refused(res);
        }
        if (quiet.quiet) {
            cli.out().println(res.body().get("id").asText());
        } else if (format.resolve(cli) == Format.JSON) {
            json(res.body());
        } else {
            jobLines(cli.out(), res.body());
        }
        return ExitCode.OK.code;
    }
}
