package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.perfbox.adapter.sqlite.SqliteApiKeyStore;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.port.ApiKeyStore;
import io.perfbox.runtime.local.LocalConfig;
import io.perfbox.runtime.local.PerfboxServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code perfbox serve | submit | status | list | logs | scan | cancel | delete | keys}. */
public final class PerfboxCli {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    PerfboxCli(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        int code = new PerfboxCli(System.out, System.err, System.getenv()).run(List.of(args));
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Returns the exit code, or -1 when the server was started and the JVM must stay up. */
    int run(List<String> args) {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            usage(out);
            return 0;
        }
        String command = args.get(0);
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        try {
            return switch (command) {
                case "serve" -> serve(rest);
                case "submit" -> submit(rest);
                case "status" -> show(rest, "");
                case "logs" -> show(rest, "/logs");
                case "scan" -> show(rest, "/scan");
                case "list" -> list(rest);
                case "cancel" -> cancel(rest);
                case "delete" -> delete(rest);
                case "keys" -> keys(rest);
                default -> {
                    err.println("perfbox: unknown command '" + command + "'");
                    usage(err);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("perfbox: " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            // A missing prerequisite (no Docker engine, database would not start): say so, no stack trace.
            err.println("perfbox: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("perfbox: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private void usage(PrintStream to) {
        to.println("""
                usage: perfbox <command> [options]

                  serve [--port 8080] [--data-dir ~/.perfbox] [options]   start the API (127.0.0.1 unless --listen)
                  submit FILE [--wait] [--name N] [--description D]       submit a Dockerfile (FILE or - for stdin)
                  status ID | logs ID | scan ID                           show a job, its logs, its scan report
                  list [--status S] [--limit N]                           list jobs, newest first
                  cancel ID                                               stop a job under way; it stays, CANCELLED, with its logs
                  delete ID                                               remove a finished job and its files
                  keys create --tenant NAME [--data-dir DIR]              make an API key (printed once, on the last line)
                  keys list [--data-dir DIR]                              one line per key: id, tenant, created, state
                  keys revoke ID [--data-dir DIR]                         refuse that key from now on (no restart)

                Client commands talk to --url (or PERFBOX_URL), default http://127.0.0.1:$PERFBOX_PORT (8080).
                  --api-key KEY (or PERFBOX_API_KEY)   sent as header x-api-key
                  --cacert FILE (or PERFBOX_CACERT)    trust this PEM CA or certificate for https:// URLs
                  --fingerprint SHA256 (or PERFBOX_FINGERPRINT)  trust only the certificate with this SHA-256 fingerprint

                serve options (flag, or environment variable PERFBOX_<NAME>):""");
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            to.printf("  --%-22s %s%s%n", s.name(), s.help(), s.defaultValue().isEmpty() ? "" : " [" + s.defaultValue() + "]");
        }
    }

    private int serve(List<String> args) throws IOException {
        if (args.contains("--help")) {
            usage(out);
            return 0;
        }
        LocalConfig config = LocalConfig.from(args, env);
        PerfboxServer server = PerfboxServer.start(config, out);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "perfbox-shutdown"));
        return -1;
    }

    /** Options shared by client commands: --url, --api-key, --cacert, --fingerprint. Removes what it reads from args. */
    private ApiClient client(List<String> args) throws IOException {
        String url = option(args, "--url", "PERFBOX_URL");
        if (url == null) {
            url = "http://127.0.0.1:" + env.getOrDefault("PERFBOX_PORT", "8080");
        }
        String apiKey = option(args, "--api-key", "PERFBOX_API_KEY");
        String cacert = option(args, "--cacert", "PERFBOX_CACERT");
        String fingerprint = option(args, "--fingerprint", "PERFBOX_FINGERPRINT");
        if (cacert != null && fingerprint != null) {
            throw new IllegalArgumentException("--cacert or --fingerprint, not both");
        }
        ApiClient.Trust trust = cacert != null ? ApiClient.Trust.caFile(Path.of(cacert))
                : fingerprint != null ? ApiClient.Trust.pinned(fingerprint) : ApiClient.Trust.system();
        return new ApiClient(url, trust, apiKey);
    }

    private String option(List<String> args, String flag, String envName) {
        String v = take(args, flag);
        if (v == null) {
            v = env.get(envName);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** {@code perfbox keys create|list|revoke}: straight on the data dir's database, the server running or not. */
    private int keys(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("keys needs create, list or revoke");
        }
        String sub = args.remove(0);
        String dataDir = option(args, "--data-dir", "PERFBOX_DATA_DIR");
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        if (dataDir == null) {
            dataDir = "~/.perfbox";
        }
        if (dataDir.equals("~") || dataDir.startsWith("~/")) {
            dataDir = home + dataDir.substring(1);
        }
        String tenant = sub.equals("create") ? take(args, "--tenant") : null;
        try (SqliteApiKeyStore store = SqliteApiKeyStore.open(Path.of(dataDir).toAbsolutePath().normalize())) {
            ApiKeys keys = new ApiKeys(store, Clock.systemUTC());
            switch (sub) {
                case "create" -> {
                    if (tenant == null || !args.isEmpty()) {
                        throw new IllegalArgumentException("usage: perfbox keys create --tenant NAME [--data-dir DIR]");
                    }
                    ApiKeys.CreatedKey created = keys.create(tenant);
                    out.println("created key " + created.id() + " for tenant " + created.tenant()
                            + " (shown once; send it as header x-api-key or with --api-key):");
                    out.println(created.key());
                    return 0;
                }
                case "list" -> {
                    if (!args.isEmpty()) {
                        throw new IllegalArgumentException("unexpected arguments " + args);
                    }
                    for (ApiKeyStore.StoredKey k : keys.list()) {
                        out.println(k.id() + " " + k.tenant() + " " + k.createdAt()
                                + k.revokedAt().map(t -> " revoked " + t).orElse(" active"));
                    }
                    return 0;
                }
                case "revoke" -> {
                    String id = single(args, "key id");
                    if (!keys.revoke(id)) {
                        err.println("perfbox: no active key " + id);
                        return 1;
                    }
                    out.println("revoked key " + id);
                    return 0;
                }
                default -> throw new IllegalArgumentException("keys needs create, list or revoke, not '" + sub + "'");
            }
        }
    }

    private static String take(List<String> args, String flag) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(flag)) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String v = args.get(i + 1);
                args.remove(i + 1);
                args.remove(i);
                return v;
            }
            if (a.startsWith(flag + "=")) {
                args.remove(i);
                return a.substring(flag.length() + 1);
            }
        }
        return null;
    }

    private static boolean takeFlag(List<String> args, String flag) {
        return args.remove(flag);
    }

    private static String single(List<String> args, String what) {
        if (args.size() != 1 || args.get(0).startsWith("--")) {
            throw new IllegalArgumentException("expected one " + what + ", got " + args);
        }
        return args.get(0);
    }

    private int submit(List<String> args) throws IOException, InterruptedException {
        ApiClient api = client(args);
        boolean wait = takeFlag(args, "--wait");
        String name = take(args, "--name");
        String description = take(args, "--description");
        String file = single(args, "Dockerfile path");
        byte[] dockerfile;
        try {
            dockerfile = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        ApiClient.Response res;
        if (name == null && description == null) {
            res = api.send("POST", "/jobs", "text/plain; charset=utf-8", dockerfile);
        } else {
            var body = PRETTY.createObjectNode();
            body.put("name", name);
            body.put("description", description);
            body.put("dockerfile", new String(dockerfile, StandardCharsets.UTF_8));
            res = api.send("POST", "/jobs", "application/json", PRETTY.writeValueAsBytes(body));
        }
        if (!res.ok()) {
            err.println("perfbox: submit refused: " + res.problem());
            return 1;
        }
        String id = res.body().get("id").asText();
        out.println("submitted job " + id + " (" + res.body().get("status").asText() + ")");
        if (!wait) {
            return 0;
        }
        return follow(api, id);
    }

    private static final List<List<String>> STAGES = List.of(
            List.of("queuedAt", "QUEUED"), List.of("buildStartedAt", "BUILDING"), List.of("scanStartedAt", "SCANNING"),
            List.of("runStartedAt", "RUNNING"));

    /**
     * Polls the job and prints each stage it reached, from the job's own stage times (so a stage shorter than
     * the polling interval still shows), then the outcome.
     */
    private int follow(ApiClient api, String id) throws IOException, InterruptedException {
        int printed = 0;
        Instant queued = null;
        while (true) {
            ApiClient.Response res = api.get("/jobs/" + id);
            if (!res.ok()) {
                err.println("perfbox: " + res.problem());
                return 1;
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
                out.printf("%7.1fs  %s%n", Duration.between(queued, t).toMillis() / 1000.0, STAGES.get(i).get(1));
                printed = i + 1;
            }
            String status = job.get("status").asText();
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
                JsonNode finished = stages.get("finishedAt");
                if (queued != null && finished != null && !finished.isNull()) {
                    out.printf("%7.1fs  %s%n", Duration.between(queued, Instant.parse(finished.asText())).toMillis() / 1000.0, status);
                }
                return outcome(job);
            }
            Thread.sleep(500);
        }
    }

    private int outcome(JsonNode job) {
        String status = job.get("status").asText();
        out.println("status:      " + status);
        JsonNode failure = job.get("failure");
        if (failure != null && !failure.isNull()) {
            out.println("failure:     " + failure.get("code").asText());
            out.println("message:     " + failure.get("message").asText());
        }
        JsonNode perf = job.get("performance");
        out.println("performance: " + (perf == null || perf.isNull() ? "-" : perf.asText()));
        JsonNode metrics = job.get("metrics");
        if (metrics != null && !metrics.isEmpty()) {
            out.println("metrics:     " + String.join(" ", metrics.properties().stream().map(m -> m.getKey() + "=" + m.getValue().asText()).toList()));
        }
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
        return status.equals("SUCCEEDED") ? 0 : 1;
    }

    private int show(List<String> args, String suffix) throws IOException, InterruptedException {
        ApiClient api = client(args);
        String id = single(args, "job id");
        return print(api.get("/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + suffix));
    }

    private int list(List<String> args) throws IOException, InterruptedException {
        ApiClient api = client(args);
        StringBuilder q = new StringBuilder("/jobs?");
        String status = take(args, "--status");
        String limit = take(args, "--limit");
        String token = take(args, "--next-token");
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + args);
        }
        if (status != null) {
            q.append("status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8)).append('&');
        }
        if (limit != null) {
            q.append("limit=").append(URLEncoder.encode(limit, StandardCharsets.UTF_8)).append('&');
        }
        if (token != null) {
            q.append("nextToken=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        return print(api.get(q.toString()));
    }

    private int cancel(List<String> args) throws IOException, InterruptedException {
        ApiClient api = client(args);
        String id = single(args, "job id");
        return print(api.send("POST", "/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/cancel", null, null));
    }

    private int delete(List<String> args) throws IOException, InterruptedException {
        ApiClient api = client(args);
        String id = single(args, "job id");
        return print(api.send("DELETE", "/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, null));
    }

    private int print(ApiClient.Response res) throws IOException {
        if (!res.ok()) {
            err.println("perfbox: " + res.problem());
            return 1;
        }
        out.println(PRETTY.writeValueAsString(res.body()));
        return 0;
    }
}
