package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import static io.perfbox.runtime.local.cli.JobLines.jobLines;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a job: status, failure, performance, findings, how long each stage took, its receipt.",
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox status 3f2b8c9e      a job by the first characters of its id (4 or more, unique)",
                "  perfbox status 3f2b -o json   the job as the API's JSON"})
final class StatusCommand extends ClientCommands.ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the job's id, or a unique prefix of 4 or more of its characters (as docker takes them)")
    String id;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    StatusCommand(Cli cli) {
        super(cli);
    }

    @Override
    Integer run() throws IOException, InterruptedException {
        ApiClient api = client.client(cli);
        String job = jobId(api, id);
        ApiClient.Response res = api.get(jobPath(job, ""));
        if (!res.ok()) {
            return refused(res);
        }
        if (quiet.quiet) {
            cli.out().println(res.body().get("id").asText());
        } else if (format.resolve(cli) == Format.JSON) {
            json(res.body());
        } else {
            jobLines(cli.out(), res.body(), misconfigurations(api, job, res.body()), Instant.now());
        }
        return ExitCode.OK.code;
    }

    /**
     * The job's scan report, for its misconfigurations: read only once the job was scanned (it has findings counted);
     * null otherwise, or when the server does not answer it (the job's own lines stand without it).
     */
    private static JsonNode misconfigurations(ApiClient api, String job,
            JsonNode body) throws IOException, InterruptedException {
        var counted = body.get("vulnerabilities");
        if (counted == null || counted.isNull()) {
            return null;
        }
        ApiClient.Response scan = api.get(jobPath(job, "/scan"));
        return scan.ok() ? scan.body() : null;
    }
}
