package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** The commands that talk to a server over its HTTP API. */
final class ClientCommands {
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> ENDED = List.of("SUCCEEDED", "FAILED", "CANCELLED");

    private ClientCommands() {
    }

    /** --url, --api-key, --cacert, --fingerprint, each also an environment variable. */
    static final class ClientOptions {
        @Option(names = "--url", paramLabel = "URL",
                description = "the perfbox server (env PERFBOX_URL; default http://127.0.0.1:$PERFBOX_PORT, port 8080)")
        String url;

        @Option(names = "--api-key", paramLabel = "KEY", description = "a team server's API key, sent as header x-api-key (env PERFBOX_API_KEY)")
        String apiKey;

        @Option(names = "--cacert", paramLabel = "FILE", description = "trust this PEM CA or certificate for an https:// URL (env PERFBOX_CACERT)")
        String cacert;

        @Option(names = "--fingerprint", paramLabel = "SHA256",
                description = "trust only the certificate with this SHA-256 fingerprint (env PERFBOX_FINGERPRINT)")
        String fingerprint;

        ApiClient client(Cli cli) throws IOException {
            String base = cli.optionOrEnv(url, "PERFBOX_URL");
            if (base == null) {
                base = "http://127.0.0.1:" + cli.env().getOrDefault("PERFBOX_PORT", "8080");
            }
            String ca = cli.optionOrEnv(cacert, "PERFBOX_CACERT");
            String pin = cli.optionOrEnv(fingerprint, "PERFBOX_FINGERPRINT");
            if (ca != null && pin != null) {
                throw new IllegalArgumentException("--cacert or --fingerprint, not both");
            }
            ApiClient.Trust trust = ca != null ? ApiClient.Trust.caFile(Path.of(ca))
                    : pin != null ? ApiClient.Trust.pinned(pin) : ApiClient.Trust.system();
            return new ApiClient(base, trust, cli.optionOrEnv(apiKey, "PERFBOX_API_KEY"));
        }
    }

    enum Format { JSON, TABLE }

    /** -o json|table: a view prints a table to a person at a terminal and JSON to a pipe or a file. */
    static final class FormatOption {
        @Option(names = {"-o", "--output"}, paramLabel = "json|table",
                description = "json or table (default: table on a terminal, json otherwise)")
        Format format;

        Format resolve(Cli cli) {
            return format != null ? format : cli.terminal() ? Format.TABLE : Format.JSON;
        }
    }

    static final class QuietOption {
        @Option(names = {"-q", "--quiet"}, description = "print ids only, one a line")
        boolean quiet;
    }

    /** A command that reaches the server; subclasses say what they ask and print. */
    abstract static class ClientCommand implements Callable<Integer> {
        final Cli cli;

        @Mixin
        ClientOptions client;

        ClientCommand(Cli cli) {
            this.cli = cli;
        }

        int refused(ApiClient.Response res) {
            cli.err().println("perfbox: " + res.problem());
            return ExitCode.REFUSED.code;
        }

        void json(JsonNode node) throws IOException {
            cli.out().println(PRETTY.writeValueAsString(node));
        }
    }

    static String jobPath(String id, String suffix) {
        return "/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + suffix;
    }

    /** 90s, 10m, 1h, 500ms; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 10m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Submit a Dockerfile (FILE, or - for standard input).",
                    "Prints the job's id; with --wait follows it through its stages and prints its outcome"
                            + " (exit 0 only when it SUCCEEDED). Every submit carries an Idempotency-Key, and a submit"
                            + " whose answer is lost is sent again with the same key: it never makes a second job."})
    static final class Submit extends ClientCommand {
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

        Submit(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
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
            ApiClient.Response last = follow(api, id, progress == null ? null : new OutputTail(progress, progress == cli.err() ? cli.rawErr() : cli.rawOut(), cli.terminal()));
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
                outcome(progress, job);
            }
            if (asJson && !quiet.quiet) {
                json(job);
            }
            return job.get("status").asText().equals("SUCCEEDED") ? ExitCode.OK.code : ExitCode.REFUSED.code;
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

    /**
     * What {@code submit --wait} shows while it waits: the stage lines, and the job's output as it comes. On a
     * terminal the output goes into one progress line rewritten in place (elapsed time, stage, the newest output
     * line); piped, every output line is printed as it is, after "| ", so a log file keeps all of it.
     */
    static final class OutputTail {
        private static final int WIDTH = 100;
        private final PrintStream out;
        /** Where the progress line's own carriage return and erase-line go: past the escaping of {@code out}. */
        private final PrintStream control;
        private final boolean terminal;
        private final StringBuilder partial = new StringBuilder();
        private String newest = "";
        private boolean progressShown;

        OutputTail(PrintStream out, PrintStream control, boolean terminal) {
            this.out = out;
            this.control = control;
            this.terminal = terminal;
        }

        void stage(String line) {
            clearProgress();
            out.println(line);
        }

        void output(String text) {
            partial.append(text);
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl).replace("\r", "");
                partial.delete(0, nl + 1);
                if (terminal) {
                    if (!line.isBlank()) {
                        newest = line;
                    }
                } else {
                    out.println("  | " + line);
                }
            }
        }

        void progress(String status, Instant queued) {
            if (!terminal) {
                return;
            }
            String elapsed = queued == null ? "" : String.format(Locale.ROOT, "%.1fs ",
                    Duration.between(queued, Instant.now()).toMillis() / 1000.0);
            String line = "  " + elapsed + status + (newest.isEmpty() ? "" : "  " + newest.strip());
            if (line.length() > WIDTH) {
                line = line.substring(0, WIDTH - 1) + "…";
            }
            // Carriage return and erase-line: the line is drawn again in place.
            eraseLine();
            out.print(line);
            out.flush();
            progressShown = true;
        }

        /** The rest of an unfinished last line (piped), and the progress line cleared (terminal). */
        void done() {
            if (!terminal && !partial.isEmpty()) {
                out.println("  | " + partial);
                partial.setLength(0);
            }
            clearProgress();
        }

        private void clearProgress() {
            if (progressShown) {
                eraseLine();
                progressShown = false;
            }
        }

        private void eraseLine() {
            out.flush();
            control.print("\r\u001b[2K");
            control.flush();
        }
    }

    /** The outcome of an ended job, one "field: value" line each, as submit --wait and status print it. */
    static void outcome(PrintStream out, JsonNode job) {
        out.println("status:      " + job.get("status").asText());
        JsonNode failure = job.get("failure");
        if (failure != null && !failure.isNull()) {
            out.println("failure:     " + failure.get("code").asText());
            out.println("message:     " + failure.get("message").asText());
        }
        JsonNode perf = job.get("performance");
        out.println("performance: " + (perf == null || perf.isNull() ? "-" : perf.asText()));
        JsonNode metrics = job.get("metrics");
        if (metrics != null && !metrics.isEmpty()) {
            out.println("metrics:     " + String.join(" ", metrics.properties().stream()
                    .map(m -> m.getKey() + "=" + m.getValue().asText()).toList()));
        }
        runLines(out, job);
        JsonNode vulns = job.get("vulnerabilities");
        if (vulns != null && !vulns.isNull()) {
            out.println("findings:    " + vulns);
        }
        JsonNode warnings = job.get("warnings");
        if (warnings != null && warnings.isArray()) {
            for (JsonNode w : warnings) {
                out.println("warning:     " + w.asText());
            }
        }
    }

    /**
     * A job of several runs: "runs: 2 of 3 (median …, min …, max …, spread …)" and one "run k: value (duration)" line
     * per completed run. A job of one run prints none (its performance is its run's value).
     */
    static void runLines(PrintStream out, JsonNode job) {
        JsonNode runs = job.get("runs");
        if (runs == null || !runs.isInt() || runs.asInt() <= 1) {
            return;
        }
        JsonNode summary = job.get("runSummary");
        JsonNode results = job.get("runResults");
        int completed = results != null && results.isArray() ? results.size() : 0;
        StringBuilder line = new StringBuilder("runs:        " + completed + " of " + runs.asInt());
        if (summary != null && summary.isObject()) {
            line.append(" (median ").append(summary.path("median").asText()).append(", min ")
                    .append(summary.path("min").asText()).append(", max ").append(summary.path("max").asText())
                    .append(", spread ").append(summary.path("spread").isNull() ? "-"
                            : String.format(Locale.ROOT, "%.2f%%", summary.path("spread").asDouble() * 100)).append(')');
        }
        out.println(line);
        if (results != null && results.isArray()) {
            for (JsonNode r : results) {
                JsonNode d = r.path("durationSeconds");
                out.println(String.format(Locale.ROOT, "%-13s", "run " + r.path("run").asInt() + ":") + r.path("value").asText()
                        + (d.isNumber() ? String.format(Locale.ROOT, " (%.2f s)", d.asDouble()) : ""));
            }
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A job as a person reads it: id, name, the outcome lines, and when each stage began. */
    static void jobLines(PrintStream out, JsonNode job) {
        out.println("id:          " + job.get("id").asText());
        if (text(job, "name") != null) {
            out.println("name:        " + text(job, "name"));
        }
        outcome(out, job);
        JsonNode stages = job.get("stages");
        StringBuilder times = new StringBuilder();
        for (var e : stages.properties()) {
            if (!e.getValue().isNull()) {
                times.append(times.isEmpty() ? "" : ", ").append(e.getKey().replace("At", "")).append(' ').append(e.getValue().asText());
            }
        }
        out.println("stages:      " + times);
        receiptLines(out, job.get("receipt"));
    }

    /**
     * The job's run receipt, one "receipt X: value" line per part it has; "receipt: none" for a job from before
     * receipts. Every value is printed as text with control characters replaced (whatever the server sent).
     */
    static void receiptLines(PrintStream out, JsonNode receipt) {
        if (receipt == null || !receipt.isObject()) {
            out.println("receipt:     none (the job was submitted before perfbox kept receipts)");
            return;
        }
        line(out, "perfbox:    ", text(receipt, "perfboxVersion"));
        line(out, "dockerfile: ", text(receipt, "dockerfileSha256") == null ? null : "sha256 " + text(receipt, "dockerfileSha256"));
        line(out, "image:      ", text(receipt, "imageDigest"));
        JsonNode bases = receipt.get("baseImages");
        if (bases != null && bases.isArray()) {
            for (JsonNode b : bases) {
                line(out, "base image: ", String.join(" ", java.util.stream.Stream.of(text(b, "name"), text(b, "digest"))
                        .filter(java.util.Objects::nonNull).toList()));
            }
        }
        JsonNode scanner = receipt.get("scanner");
        if (scanner != null && scanner.isObject()) {
            StringBuilder sc = new StringBuilder(String.join(" ", java.util.stream.Stream.of(text(scanner, "name"),
                    text(scanner, "version")).filter(java.util.Objects::nonNull).toList()));
            if (text(scanner, "dbUpdatedAt") != null) {
                sc.append(", DB updated ").append(text(scanner, "dbUpdatedAt"));
            }
            if (text(scanner, "dbDownloadedAt") != null) {
                sc.append(", DB downloaded ").append(text(scanner, "dbDownloadedAt"));
            }
            line(out, "scanner:    ", sc.toString());
        }
        JsonNode limits = receipt.get("limits");
        if (limits != null && limits.isObject()) {
            List<String> parts = new ArrayList<>();
            bytes(parts, "memory", limits.get("memoryBytes"));
            if (limits.hasNonNull("cpus")) {
                parts.add("cpus " + limits.get("cpus").asText());
            }
            if (limits.hasNonNull("pids")) {
                parts.add("pids " + limits.get("pids").asText());
            }
            if (limits.hasNonNull("timeoutSeconds")) {
                parts.add("time " + limits.get("timeoutSeconds").asText() + " s");
            }
            bytes(parts, "/data", limits.get("dataBytes"));
            bytes(parts, "writable layer", limits.get("writableLayerBytes"));
            line(out, "limits:     ", String.join(", ", parts));
        }
        line(out, "cpuset:     ", text(receipt, "cpuset"));
        line(out, "runtime:    ", text(receipt, "containerRuntime"));
        line(out, "host CPU:   ", text(receipt, "hostCpuModel"));
        line(out, "kernel:     ", text(receipt, "kernel"));
    }

    private static void bytes(List<String> parts, String what, JsonNode n) {
        if (n != null && n.canConvertToLong()) {
            long b = n.asLong();
            parts.add(what + " " + (b % (1L << 30) == 0 ? (b >> 30) + " GiB" : b % (1L << 20) == 0 ? (b >> 20) + " MiB"
                    : b + " bytes"));
        }
    }

    private static void line(PrintStream out, String label, String value) {
        if (value != null && !value.isBlank()) {
            out.println("receipt " + label + value.replaceAll("[\\p{Cntrl}\\p{Cf}\\u2028\\u2029]", " "));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a job: status, failure, performance, findings, stage times.")
    static final class Status extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        Status(Cli cli) {
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

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "Print a job's output as it is so far (the build's, then the run's), as raw text; -f follows it.")
    static final class Logs extends ClientCommand {
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

        Logs(Cli cli) {
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

    /** How often a follower asks for more output when the last answer had none. */
    static final long LOG_POLL_MILLIS = 300;

    @Command(name = "scan", mixinStandardHelpOptions = true, description = "Show a job's scan findings.")
    static final class Scan extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        Scan(Cli cli) {
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

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
    static final class ListJobs extends ClientCommand {
        @Option(names = "--status", paramLabel = "STATUS", description = "only jobs in this status (QUEUED, BUILDING, SCANNING, RUNNING, SUCCEEDED, FAILED, CANCELLED)")
        String status;

        @Option(names = "--limit", paramLabel = "N", description = "at most N jobs (the server's default page otherwise)")
        String limit;

        @Option(names = "--next-token", paramLabel = "TOKEN", description = "the next page, from the token the previous one ended with")
        String nextToken;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        ListJobs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            StringBuilder q = new StringBuilder("/jobs?");
            if (status != null) {
                q.append("status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8)).append('&');
            }
            if (limit != null) {
                q.append("limit=").append(URLEncoder.encode(limit, StandardCharsets.UTF_8)).append('&');
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
                Table table = new Table("ID", "STATUS", "PERFORMANCE", "CREATED", "NAME");
                page.get("jobs").forEach(j -> table.row(j.get("id").asText(), j.get("status").asText(),
                        text(j, "performance"), text(j, "createdAt"), text(j, "name")));
                cli.out().print(table.isEmpty() ? "no jobs\n" : table.render());
            }
            String token = text(page, "nextToken");
            if (token != null) {
                cli.err().println("more: perfbox list --next-token " + token);
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Stop a job still under way (its build, scan or run); it stays, CANCELLED, with its logs.")
    static final class Cancel extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        Cancel(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            ApiClient.Response res = client.client(cli).send("POST", jobPath(id, "/cancel"), null, null);
            if (!res.ok()) {
                return refused(res);
            }
            if (quiet.quiet) {
                cli.out().println(res.body().get("id").asText());
            } else if (format.resolve(cli) == Format.JSON) {
                json(res.body());
            } else {
                cli.out().println("job " + res.body().get("id").asText() + " " + res.body().get("status").asText());
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a finished job and its files (a job under way: cancel it first).")
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the job's id")
        String id;

        @Mixin
        FormatOption format;

        @Mixin
        QuietOption quiet;

        Delete(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            ApiClient.Response res = client.client(cli).send("DELETE", jobPath(id, ""), null, null);
            if (!res.ok()) {
                return refused(res);
            }
            if (quiet.quiet) {
                cli.out().println(res.body().get("id").asText());
            } else if (format.resolve(cli) == Format.JSON) {
                json(res.body());
            } else {
                cli.out().println("deleted job " + res.body().get("id").asText() + " (" + res.body().get("status").asText() + ")");
            }
            return ExitCode.OK.code;
        }
    }
}
