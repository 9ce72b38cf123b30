package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.JobLines.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.FormatOption;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List your jobs, newest first.",
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox list                      the newest 20 jobs: id, status, performance, failure, when made",
                "  perfbox list --status FAILED      only the jobs that failed",
                "  perfbox list --limit 5 -q         the 5 newest jobs' ids, one a line"})
final class ListCommand extends ClientCommands.ClientCommand {
    @Option(names = "--status", paramLabel = "STATUS", converter = Arguments.StatusConverter.class,
            description = "only jobs in this status (QUEUED, BUILDING, SCANNING, RUNNING, SUCCEEDED, FAILED, CANCELLED)")
    String status;

    @Option(names = "--limit", paramLabel = "N", converter = Arguments.LimitConverter.class,
            description = "at most N jobs, 1 to 100 (the server's default page, 20, otherwise)")
    Integer limit;

    @Option(names = "--next-token", paramLabel = "TOKEN", description = "the next page, from the token the previous one ended with")
    String nextToken;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    ListCommand(Cli cli) {
        super(cli);
    }

    @Override
    Integer run() throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("/jobs?");
        if (status != null) {
            q.append("status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8)).append('&');
        }
        if (limit != null) {
            q.append("limit=").append(limit).append('&');
        }
        if (nextToken != null) {
            q.append("nextToken=").append(URLEncoder.encode(nextToken, StandardCharsets.UTF_8));
        }
        ApiClient.Response res = client.client(cli).get(q.toString());
        if (!res.ok()) {
            return refused(res);
        }
        JsonNode page = res.body();
        if (quiet.quiet) {
            page.get("jobs").forEach(j -> cli.out().println(j.get("id").asText()));
        } else if (format.resolve(cli) == Format.JSON) {
            json(page);
            return ExitCode.OK.code;
        } else {
            Instant now = Instant.now();
            Table table = new Table("ID", "STATUS", "PERFORMANCE", "FAILURE", "CREATED", "NAME");
            page.get("jobs").forEach(j -> table.row(j.get("id").asText(), j.get("status").asText(),
                    Human.number(j.get("performance")), j.path("failure").isObject() ? j.path("failure").path("code").asText() : null,
                    Human.ago(text(j, "createdAt"), now), text(j, "name")));
            cli.out().print(table.isEmpty() ? "no jobs\n" : table.render());
        }
        String token = text(page, "nextToken");
        if (token != null) {
            cli.err().println("more: perfbox list --next-token " + token);
        }
        return ExitCode.OK.code;
    }
}
