package io.perfbox.runtime.local.cli;

import static io.perfbox.runtime.local.cli.ClientCommands.ENDED;
import static io.perfbox.runtime.local.cli.ClientCommands.PRETTY;
import static io.perfbox.runtime.local.cli.ClientCommands.jobPath;
import static io.perfbox.runtime.local.cli.JobLines.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.local.cli.ClientCommands.DurationConverter;
import io.perfbox.runtime.local.cli.ClientCommands.Format;
import io.perfbox.runtime.local.cli.ClientCommands.QuietOption;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Submit a Dockerfile (FILE, or - for standard input).",
                "Prints the job's id; with --wait follows it through its stages and prints its outcome"
                        + " (exit 0 only when it SUCCEEDED). Every submit carries an Idempotency-Key, and a submit"
                        + " whose answer is lost is sent again with the same key: it never makes a second job."},
        footerHeading = "%nExamples:%n",
        footer = {"  perfbox submit Dockerfile                    submit; prints the job's id",
                "  perfbox submit Dockerfile --wait             follow it to its end; exit 0 SUCCEEDED, 1 FAILED, 5 CANCELLED",
                "  perfbox submit - --wait --timeout 10m < Dockerfile",
                "  perfbox submit Dockerfile --runs 5 --name baseline   the median of 5 runs, under a name",
                "Ctrl-C during --wait stops the waiting, not the job (exit 130): it says how to follow it again."})
final class SubmitCommand extends ClientCommands.ClientCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "the Dockerfile, or - to read it from standard input")
    String file;

    @Option(names = "--wait", description = "follow the job until it ends; print its stages and its output as it comes"
            + " (a progress line on a terminal, plain lines otherwise), then its failure, performance and metrics")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "with --wait: stop waiting after this long (e.g. 90s, 10m; exit 4, the job goes on)")
    Duration timeout;

    @Option(names = "--name", paramLabel = "NAME", description = "a name for the job")
    String name;

    @Option(names = "--description", paramLabel = "TEXT", description = "a description of the job")
    String description;

    @Option(names = "--runs", paramLabel = "N",
            description = "run the image N times (1 to 10, default 1), each on a fresh /data: the performance is"
                    + " the median of the runs' values")
    Integer runs;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "the submit's Idempotency-Key (default: a new random one); the same key again returns the same job")
    String idempotencyKey;

    @Option(names = {"-o", "--output"}, paramLabel = "json|table",
            description = "json: print the job (after --wait, as it ended) as JSON, progress on stderr;"
                    + " table (default): lines for a person")
    Format format;

    @Mixin
    QuietOption quiet;

    SubmitCommand(Cli cli) {
        super(cli);
    }

    @Override
    @SuppressWarnings("try") // Waiting is held, never referenced: its shutdown hook speaks while the wait lasts
    Integer run() throws IOException, InterruptedException {
        if (timeout != null && !wait) {
            throw new IllegalArgumentException("--timeout goes with --wait");
        }
        if (runs != null && (runs < 1 || runs > 10)) {
            throw new IllegalArgumentException("--runs must be a whole number from 1 to 10, not " + runs);
        }
        ApiClient api = client.client(cli);
        byte[] dockerfile;
        try {
            dockerfile = file.equals("-") ? cli.in().readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        ApiClient.Response res;
        if (name == null && description == null && runs == null) {
            res = api.submit("text/plain; charset=utf-8", dockerfile, key, cli.err());
        } else {
            var body = PRETTY.createObjectNode();
            body.put("name", name);
            body.put("description", description);
            body.put("dockerfile", new String(dockerfile, StandardCharsets.UTF_8));
            if (runs != null) {
                body.put("runs", runs);
            }
            res = api.submit("application/json", PRETTY.writeValueAsBytes(body), key, cli.err());
        }
        if (!res.ok()) {
            cli.err().println("perfbox: submit refused: " + res.problem());
            return ExitCode.REFUSED.code;
        }
        boolean asJson = format == Format.JSON;
        // Lines for a person go to stdout, unless stdout is for JSON or ids: then stderr, or nowhere with -q.
        PrintStream progress = quiet.quiet ? null : asJson ? cli.err() : cli.out();
        String id = res.body().get("id").asText();
        if (quiet.quiet) {
            cli.out().println(id);
        } else if (progress != null) {
            progress.println("submitted job " + id + " (" + res.body().get("status").asText() + ")");
        }
        if (!wait) {
            if (asJson && !quiet.quiet) {
                json(res.body());
            }
            return ExitCode.OK.code;
        }
        ApiClient.Response last;
        try (Waiting waiting = new Waiting(cli.err(), id)) {
            last = follow(api, id, progress == null ? null
                    : new OutputTail(progress, progress == cli.err() ? cli.rawErr() : cli.rawOut(), cli.terminal()));
        }
        if (!last.ok()) {
            return refused(last);
        }
        JsonNode job = last.body();
        if (!ENDED.contains(job.get("status").asText())) {
            cli.err().println("perfbox: job " + id + " is still " + job.get("status").asText() + " after "
                    + timeout.toString().substring(2).toLowerCase(Locale.ROOT) + " (--timeout); it goes on:"
                    + " perfbox status " + id + ", perfbox cancel " + id);
            return ExitCode.TIMED_OUT.code;
        }
        if (progress != null && !asJson) {
            outcome(progress, job, Instant.now());
        }
        if (asJson && !quiet.quiet) {
            json(job);
        }
        if (progress != null) {
            // As gh run watch --exit-status: the last line says how it ended, the exit status too.
            progress.println(JobLines.finalLine(job));
        }
        return ExitCode.ofEnded(job.get("status").asText()).code;
    }

    private static final List<List<String>> STAGES = List.of(
            List.of("queuedAt", "QUEUED"), List.of("buildStartedAt", "BUILDING"), List.of("scanStartedAt", "SCANNING"),
            List.of("runStartedAt", "RUNNING"));

    /**
     * Polls the job and prints each stage it reached, from the job's own stage times (so a stage shorter than the
     * polling interval still shows); returns the last answer: the job once it ended or --timeout passed, or a refusal.
     */
    private ApiClient.Response follow(ApiClient api, String id, OutputTail tail) throws IOException, InterruptedException {
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        int printed = 0;
        Instant queued = null;
        long offset = 0;
        try {
            while (true) {
                ApiClient.Response res = api.get(jobPath(id, ""));
                if (!res.ok()) {
                    return res;
                }
                JsonNode job = res.body();
                JsonNode stages = job.get("stages");
                for (int i = printed; i < STAGES.size(); i++) {
                    JsonNode at = stages.get(STAGES.get(i).get(0));
                    if (at == null || at.isNull()) {
                        break;
                    }
                    Instant t = Instant.parse(at.asText());
                    queued = queued == null ? t : queued;
                    if (tail != null) {
                        tail.stage(String.format(Locale.ROOT, "%7.1fs  %s", Duration.between(queued, t).toMillis() / 1000.0,
                                STAGES.get(i).get(1)));
                    }
                    printed = i + 1;
                }
                String status = job.get("status").asText();
                boolean ended = ENDED.contains(status);
                if (tail != null) {
                    // The output so far; once the job ended, all of it (the answer says when nothing more comes).
                    ApiClient.LogChunk chunk;
                    do {
                        chunk = api.logText(jobPath(id, ""), offset);
                        if (!chunk.ok()) {
                            break;
                        }
                        tail.output(chunk.text());
                        offset = chunk.nextOffset();
                    } while (ended && !chunk.complete() && chunk.bytes().length > 0);
                    tail.progress(status, queued);
                }
                if (ended) {
                    JsonNode finished = stages.get("finishedAt");
                    if (tail != null && queued != null && finished != null && !finished.isNull()) {
                        tail.stage(String.format(Locale.ROOT, "%7.1fs  %s",
                                Duration.between(queued, Instant.parse(finished.asText())).toMillis() / 1000.0, status));
                    }
                    return res;
                }
                if (deadline != null && !Instant.now().isBefore(deadline)) {
                    return res;
                }
                long sleep = 500;
                if (deadline != null) {
                    sleep = Math.max(1, Math.min(sleep, Duration.between(Instant.now(), deadline).toMillis()));
                }
                Thread.sleep(sleep);
            }
        } finally {
            if (tail != null) {
                tail.done();
            }
        }
    }
}
