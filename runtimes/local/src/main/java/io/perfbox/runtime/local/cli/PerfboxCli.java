package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.perfbox.runtime.local.LocalConfig;
import io.perfbox.runtime.local.PerfboxServer;
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
import java.util.Map;

/** {@code perfbox serve | submit | status | list | logs | scan | cancel | delete}. */
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

                  serve [--port 8080] [--data-dir ~/.perfbox] [options]   start the local API on 127.0.0.1
                  submit FILE [--wait] [--name N] [--description D]       submit a Dockerfile (FILE or - for stdin)
                  status ID | logs ID | scan ID                           show a job, its logs, its scan report
                  list [--status S] [--limit N]                           list jobs, newest first
                  cancel ID                                               stop a job under way; it stays, CANCELLED, with its logs
                  delete ID                                               remove a finished job and its files

                Client commands talk to --url (or PERFBOX_URL), default http://127.0.0.1:$PERFBOX_PORT (8080).

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

    /** Options shared by client commands: --url. Removes what it reads from args. */
    private ApiClient client(List<String> args) {
        String url = take(args, "--url");
        if (url == null) {
            url = env.getOrDefault("PERFBOX_URL", "http://127.0.0.1:" + env.getOrDefault("PERFBOX_PORT", "8080"));
        }
        return new ApiClient(url);
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
        JsonNode vulns = job.get("vulnerabilities");
        if (vulns != null && !vulns.isNull()) {
            out.println("findings:    " + vulns);
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
