package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.io.Serial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cancel ID} and {@code delete ID}: one request on one job, then the job as it is after it. */
final class JobActionCommands {
    private JobActionCommands() {
    }

    /** What the two share: the id, -o and -q, the request, and printing the job it answers with. */
    abstract static class JobAction extends ClientCommands.ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id, or a unique prefix of 4 or more of its characters (as docker takes them)")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        JobAction(Cli cli) {
            super(cli);
        }

        /** The request that acts on the job {@code job} (its whole id). */
        abstract ApiClient.Response act(ApiClient api, String job) throws IOException, InterruptedException;

        /** The line a person reads once it is done. */
        abstract String done(JsonNode job);

        @Override
        Integer run() throws IOException, InterruptedException {
            ApiClient api = client.client(cli);
            ApiClient.Response res;
            try {
                res = act(api, jobId(api, id));
            } catch (Handled h) {
                return h.code.code;
            }
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

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Stop a job still under way (its build, scan or run); it stays, CANCELLED, with its logs.",
            footerHeading = "%nExamples:%n",
            footer = {"  perfbox cancel 3f2b8c9e"})
    static final class Cancel extends JobAction {
        Cancel(Cli cli) {
            super(cli);
        }

        @Override
        ApiClient.Response act(ApiClient api, String job) throws IOException, InterruptedException {
            return api.send("POST", ClientCommands.jobPath(job, "/cancel"), null, null);
        }

        @Override
        String done(JsonNode job) {
            return "job " + job.get("id").asText() + " " + job.get("status").asText();
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a finished job and its files (a job under way: cancel it first, or --force).",
            footerHeading = "%nExamples:%n",
            footer = {"  perfbox delete 3f2b8c9e           a job that ended",
                    "  perfbox delete --force 3f2b8c9e   a job under way: cancelled, then deleted"})
    static final class Delete extends JobAction {
        @Option(names = "--force", description = "a job still under way is cancelled first, then deleted")
        boolean force;

        Delete(Cli cli) {
            super(cli);
        }

        @Override
        ApiClient.Response act(ApiClient api, String job) throws IOException, InterruptedException {
            if (force) {
                ApiClient.Response cancelled = api.send("POST", ClientCommands.jobPath(job, "/cancel"), null, null);
                // 409: it had ended already, and a job that ended is deleted as it is.
                if (!cancelled.ok() && cancelled.status() != 409) {
                    return cancelled;
                }
            }
            ApiClient.Response res = api.send("DELETE", ClientCommands.jobPath(job, ""), null, null);
            if (res.status() == 409 && res.body() != null && res.body().path("type").asText().endsWith(":job-not-finished")) {
                cli.err().println("perfbox: " + res.problem());
                cli.err().println("hint: the job is under way: perfbox cancel " + job + " stops it (it stays, CANCELLED),"
                        + " then perfbox delete " + job + "; or perfbox delete --force " + job + " does both");
                throw new Handled(ExitCode.REFUSED);
            }
            return res;
        }

        @Override
        String done(JsonNode job) {
            return "deleted job " + job.get("id").asText() + " (" + job.get("status").asText() + ")";
        }
    }

    /** A refusal already printed, with its hint: only the exit code is left to give. */
    static final class Handled extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        final transient ExitCode code;

        Handled(ExitCode code) {
            super(code.name(), null, false, false);
            this.code = code;
        }
    }
}
