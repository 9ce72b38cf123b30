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
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code leaderboard}: the API's GET /leaderboard, your jobs that SUCCEEDED ranked by performance or a metric. */
@Command(name = "leaderboard", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Rank your jobs that SUCCEEDED by their performance or by one of their metrics.",
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox leaderboard                                  the 10 best by performance (the server's order)",
                "  perfbox leaderboard --metric latency_ms --order asc  the lowest latency first",
                "  perfbox leaderboard --limit 3 -q                     the 3 best jobs' ids, one a line"})
final class LeaderboardCommand extends ClientCommands.ClientCommand {
    /** asc: lowest first (a loss, a latency); desc: highest first. */
    enum Order { asc, desc }

    @Option(names = "--metric", paramLabel = "M", converter = Arguments.MetricConverter.class,
            description = "rank by this metric (default: performance, the value of /data/perf.json's perf)")
    String metric;

    @Option(names = "--order", paramLabel = "asc|desc",
            description = "asc: lowest first; desc: highest first (default: the server's --leaderboard-order, desc)")
    Order order;

    @Option(names = "--limit", paramLabel = "N", converter = Arguments.LimitConverter.class,
            description = "the best N, 1 to 100 (default 10)")
    Integer limit;

    @Mixin
    FormatOption format;

    @Mixin
    QuietOption quiet;

    LeaderboardCommand(Cli cli) {
        super(cli);
    }

    @Override
    Integer run() throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("/leaderboard");
        String sep = "?";
        if (metric != null) {
            q.append(sep).append("metric=").append(URLEncoder.encode(metric, StandardCharsets.UTF_8));
            sep = "&";
        }
        if (order != null) {
            q.append(sep).append("order=").append(order.name());
            sep = "&";
        }
        if (limit != null) {
            q.append(sep).append("limit=").append(limit);
        }
        ApiClient.Response res = client.client(cli).get(q.toString());
        if (!res.ok()) {
            return refused(res);
        }
        JsonNode board = res.body();
        if (quiet.quiet) {
            board.path("entries").forEach(e -> cli.out().println(e.path("id").asText()));
            return ExitCode.OK.code;
        }
        if (format.resolve(cli) == Format.JSON) {
            json(board);
            return ExitCode.OK.code;
        }
        String by = board.path("metric").asText("performance");
        boolean asc = board.path("order").asText().equals("asc");
        cli.out().println("leaderboard by " + by + ", " + (asc ? "lowest" : "highest") + " first");
        Instant now = Instant.now();
        Table table = new Table("RANK", by.toUpperCase(Locale.ROOT), "RUNS", "SPREAD", "ID", "CREATED", "NAME");
        for (JsonNode e : board.path("entries")) {
            JsonNode spread = e.get("spread");
            table.row(e.path("rank").asText(), Human.number(e.get("value")), e.path("runs").asText(),
                    spread == null || spread.isNull() ? "-" : String.format(Locale.ROOT, "%.2f%%", spread.asDouble() * 100),
                    e.path("id").asText(), Human.ago(text(e, "createdAt"), now), text(e, "name"));
        }
        cli.out().print(table.isEmpty() ? "no job SUCCEEDED with " + by + " yet\n" : table.render());
        return ExitCode.OK.code;
    }
}
