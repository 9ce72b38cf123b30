package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.perfbox.core.domain.JobStatus;
import java.io.IOException;
import java.io.Serial;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The commands that talk to a server over its HTTP API. */
final class ClientCommands {
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The finished statuses as the API writes them: core's one list ({@link JobStatus#TERMINAL}). */
    static final Set<String> ENDED = JobStatus.TERMINAL.stream().map(JobStatus::name)
            .collect(Collectors.toUnmodifiableSet());

    private ClientCommands() {
    }

    /** The client commands, in the order help lists them. */
    static void addTo(picocli.CommandLine root, Cli cli) {
        root.addSubcommand(new SubmitCommand(cli));
        root.addSubcommand(new StatusCommand(cli));
        root.addSubcommand(new LogsCommand(cli));
        root.addSubcommand(new ScanCommand(cli));
        root.addSubcommand(new ListCommand(cli));
        root.addSubcommand(new LeaderboardCommand(cli));
        root.addSubcommand(new JobActionCommands.Cancel(cli));
        root.addSubcommand(new JobActionCommands.Delete(cli));
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

        /** What the command does; a refusal met on the way (thrown as {@link Refused}) is printed and is exit 1. */
        abstract Integer run() throws IOException, InterruptedException;

        @Override
        public final Integer call() throws IOException, InterruptedException {
            try {
                return run();
            } catch (Refused e) {
                return refused(e.response);
            } catch (JobIds.NoSuchJob e) {
                cli.err().println("perfbox: " + e.getMessage());
                return ExitCode.REFUSED.code;
            }
        }

        /** The whole id of the caller's job that {@code typed} (a whole id or a unique prefix) names. */
        String jobId(ApiClient api, String typed) throws IOException, InterruptedException {
            return JobIds.resolve(api, typed);
        }

        int refused(ApiClient.Response res) {
            cli.err().println("perfbox: " + res.problem());
            return ExitCode.REFUSED.code;
        }

        void json(JsonNode node) throws IOException {
            cli.out().println(PRETTY.writeValueAsString(node));
        }
    }

    /** A refusal from the server, thrown from where it was met to the command, which prints it (exit 1). */
    static final class Refused extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        final transient ApiClient.Response response;

        Refused(ApiClient.Response response) {
            super(response.problem(), null, false, false);
            this.response = response;
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
}
