package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a job's output as it is so far (the build's, then the run's), as raw text; -f follows it.")
final class LogsCommand extends ClientCommands.ClientCommand {
    /** How often a follower asks for more output when the last answer had none. */
    static final long LOG_POLL_MILLIS = 300;

    @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
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
    public Integer call() throws IOException, InterruptedException {
        ApiClient api = client.client(cli);
        if (format == Format.JSON) {
            if (follow) {
                throw new IllegalArgumentException("--follow prints raw text; it does not go with -o json");
            }
            ApiClient.Response res = api.get(jobPath(id, "/logs"));
            if (!res.ok()) {
                return refused(res);
            }
            json(res.body());
            return ExitCode.OK.code;
        }
        long offset = 0;
        while (true) {
            ApiClient.LogChunk chunk = api.logText(jobPath(id, ""), offset);
            if (!chunk.ok()) {
                return refused(chunk.refusal());
            }
            // Piped (or --raw), the output is byte-exact: what is piped is a copy, not a display.
            PrintStream out = raw || !cli.terminal() ? cli.rawOut() : cli.out();
            out.write(chunk.bytes());
            out.flush();
            offset = chunk.nextOffset();
            if (!follow || chunk.complete()) {
                return ExitCode.OK.code;
            }
            if (chunk.bytes().length == 0) {
                Thread.sleep(LOG_POLL_MILLIS);
            }
        }
    }
}
