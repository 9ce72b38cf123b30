package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;

import io.perfbox.runtime.local.cli.ClientCommands.Format;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a job's output as it is so far (the build's, then the run's), as raw text; -f follows it.",
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox logs 3f2b8c9e            the output so far",
                "  perfbox logs -f 3f2b8c9e         follow it to the job's end, then its status line; exit 0"
                        + " SUCCEEDED, 1 FAILED, 5 CANCELLED",
                "  perfbox logs 3f2b8c9e > out.txt  byte for byte, as the job wrote it",
                "Ctrl-C during -f stops the following, not the job (exit 130)."})
final class LogsCommand extends ClientCommands.ClientCommand {
    /** How often a follower asks for more output when the last answer had none. */
    static final long LOG_POLL_MILLIS = 300;

    @Parameters(index = "0", paramLabel = "ID", description = "the job's id, or a unique prefix of 4 or more of its characters (as docker takes them)")
    String id;

    @Option(names = {"-f", "--follow"}, description = "keep printing the output as it comes, until the job ends")
    boolean follow;

    @Option(names = "--raw", description = "on a terminal too, print the output byte for byte, control characters "
            + "and all (by default a terminal gets them escaped, as \\u001b; piped output is always byte-exact)")
    boolean raw;

    @Option(names = {"-o", "--output"}, paramLabel = "json",
            description = "json: both logs as the API's JSON (as stored so far) instead of raw text")
    Format format;

    LogsCommand(Cli cli) {
        super(cli);
    }

    @Override
    @SuppressWarnings("try") // Waiting is held, never referenced: its shutdown hook speaks while the wait lasts
    Integer run() throws IOException, InterruptedException {
        if (format == Format.JSON && follow) {
            throw new IllegalArgumentException("--follow prints raw text; it does not go with -o json");
        }
        ApiClient api = client.client(cli);
        String job = jobId(api, id);
        if (format == Format.JSON) {
            ApiClient.Response res = api.get(jobPath(job, "/logs"));
            if (!res.ok()) {
                return refused(res);
            }
            json(res.body());
            return ExitCode.OK.code;
        }
        if (!follow) {
            return print(api, job, 0, false);
        }
        try (Waiting waiting = new Waiting(cli.err(), job)) {
            int printed = print(api, job, 0, true);
            if (printed != ExitCode.OK.code) {
                return printed;
            }
        }
        // As gh run watch --exit-status: the last line says how the job ended, the exit status too. On a terminal
        // it follows the output; piped, it goes to stderr, so that what is piped stays the output, byte for byte.
        ApiClient.Response res = api.get(jobPath(job, ""));
        if (!res.ok()) {
            return refused(res);
        }
        (cli.terminal() ? cli.out() : cli.err()).println(JobLines.finalLine(res.body()));
        return ExitCode.ofEnded(res.body().path("status").asText()).code;
    }

    /** The output from {@code offset}: what there is so far, or with {@code follow} all of it until the job ended. */
    private int print(ApiClient api, String job, long offset, boolean follow) throws IOException, InterruptedException {
        boolean lineOpen = false;
        while (true) {
            ApiClient.LogChunk chunk = api.logText(jobPath(job, ""), offset);
            if (!chunk.ok()) {
                return refused(chunk.refusal());
            }
            // Piped (or --raw), the output is byte-exact: what is piped is a copy, not a display.
            PrintStream out = raw || !cli.terminal() ? cli.rawOut() : cli.out();
            out.write(chunk.bytes());
            out.flush();
            if (chunk.bytes().length > 0) {
                lineOpen = chunk.bytes()[chunk.bytes().length - 1] != '\n';
            }
            offset = chunk.nextOffset();
            if (!follow || chunk.complete()) {
                if (follow && lineOpen && cli.terminal()) {
                    // The status line that comes next starts a line of its own.
                    cli.out().println();
                }
                return ExitCode.OK.code;
            }
            if (chunk.bytes().length == 0) {
                Thread.sleep(LOG_POLL_MILLIS);
            }
        }
    }
}
