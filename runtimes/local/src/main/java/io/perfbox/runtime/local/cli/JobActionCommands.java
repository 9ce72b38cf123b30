package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cancel ID} and {@code delete ID}: one request on one job, then the job as it is after it. */
final class JobActionCommands {
    private JobActionCommands() {
    }

    /** What the two share: the id, -o and -q, the request, and printing the job it answers with. */
    abstract static class JobAction extends ClientCommands.ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        JobAction(Cli cli) {
            super(cli);
        }

        /** The request that acts on the job. */
        abstract ApiClient.Response act(ApiClient api) throws IOException, InterruptedException;

        /** The line a person reads once it is done. */
        abstract String done(JsonNode job);

        @Override
        public Integer call() throws IOException, InterruptedException {
            ApiClient.Response res = act(client.client(cli));
            if (!res.ok()) {
                return refused(res);
            }
            if (quiet.quiet) {
                cli.out().println(res.body().get("id").asText());
            } else if (format.resolve(cli) == Format.JSON) {
                json(res.body());
            } else {
                cli.out().println(done(res.body()));
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Stop a job still under way (its build, scan or run); it stays, CANCELLED, with its logs.")
    static final class Cancel extends JobAction {
        Cancel(Cli cli) {
            super(cli);
        }

        @Override
        ApiClient.Response act(ApiClient api) throws IOException, InterruptedException {
            return api.send("POST", ClientCommands.jobPath(id, "/cancel"), null, null);
        }

        @Override
        String done(JsonNode job) {
            return "job " + job.get("id").asText() + " " + job.get("status").asText();
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a finished job and its files (a job under way: cancel it first).")
    static final class Delete extends JobAction {
        Delete(Cli cli) {
            super(cli);
        }

        @Override
        ApiClient.Response act(ApiClient api) throws IOException, InterruptedException {
            return api.send("DELETE", ClientCommands.jobPath(id, ""), null, null);
        }

        @Override
        String done(JsonNode job) {
            return "deleted job " + job.get("id").asText() + " (" + job.get("status").asText() + ")";
        }
    }
}
