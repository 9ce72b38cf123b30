package io.perfbox.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * 8. A team server's {@code GET /jobs/{id}}: HTTPS with an API key (checked against the store on every request),
 * against the baseline of benchmark 3 as an HttpsServer with the same TLS setup (the same PEM pair, SSLContext and
 * protocols) answering a fixed body. Both get the same requests, key header included, from 16 clients reusing their
 * connections, in windows that alternate between the two.
 */
final class TeamServerBench {
    static final double TARGET_THROUGHPUT_RATIO = 0.50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Scanner trivy;
    private final int workers;
    private final int seconds;
    private final int windows;

    TeamServerBench(Path root, Scanner trivy, int workers, int seconds, int windows) {
        this.root = root;
        this.trivy = trivy;
        this.workers = workers;
        this.seconds = seconds;
        this.windows = windows;
    }

    List<Outcome> run() throws Exception {
        Path data = Files.createTempDirectory("perfbox-bench-team");
        try {
            // A certificate for 127.0.0.1 made as --tls-self-signed makes one; both servers serve it from these files.
            SelfSigned.Pair pair = SelfSigned.ensure(data.resolve("tls"), List.of("127.0.0.1"));
            String key = createKey(data);
            List<String> serve = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--data-dir",
                    data.resolve("server").toString(), "--workers", Integer.toString(workers),
                    "--tls-cert", pair.certificate().toString(), "--tls-key", pair.key().toString(), "--require-keys"));
            serve.addAll(trivy.serveOptions());
            SSLContext trust = Pem.trusting(pair.certificate());
            HttpClient https = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            try (ChildJvm server = ChildJvm.start("io.perfbox.runtime.local.cli.PerfboxCli", serve, ServeClasspath.of(root));
                 ChildJvm baseline = ChildJvm.start("io.perfbox.bench.FixedResponseServer",
                         List.of(pair.certificate().toString(), pair.key().toString()))) {
                String id = submitAndWait(https, server.url, key);
                HttpRequest perfbox = get(server.url + "/jobs/" + id, key);
                HttpRequest fixed = get(baseline.url + "/jobs/" + id, key);
                Duration window = Duration.ofMillis(Math.max(500, seconds * 1000L / windows));
                ApiLoadBench.closedLoop(https, perfbox, Duration.ofSeconds(2), ApiLoadBench.CLIENTS);
                ApiLoadBench.closedLoop(https, fixed, Duration.ofSeconds(2), ApiLoadBench.CLIENTS);
                List<Double> p = new ArrayList<>();
                List<Double> b = new ArrayList<>();
                long errors = 0;
                for (int i = 0; i < windows; i++) {
                    ApiLoadBench.Window pw = ApiLoadBench.closedLoop(https, perfbox, window, ApiLoadBench.CLIENTS);
                    ApiLoadBench.Window bw = ApiLoadBench.closedLoop(https, fixed, window, ApiLoadBench.CLIENTS);
                    p.add(pw.perSecond());
                    b.add(bw.perSecond());
                    errors += pw.errors();
                }
                Stats pRate = Stats.of(p);
                Stats bRate = Stats.of(b);
                double ratio = pRate.median() / bRate.median();
                boolean met = ratio >= TARGET_THROUGHPUT_RATIO && errors == 0;
                System.out.printf("%n[8] team server: GET /jobs/{id} over HTTPS (TLS 1.3, %s) with an x-api-key, %d clients;"
                        + " %d windows of %.1f s alternating, after 2 s warm-up each%n", server.url, ApiLoadBench.CLIENTS,
                        windows, window.toMillis() / 1000.0);
                System.out.printf("    perfbox serve --tls-cert --tls-key --require-keys: %s, %d errors%n",
                        pRate.minMedMax("req/s", 0), errors);
                System.out.printf("    baseline (fixed response, JDK HttpsServer, same PEM pair and protocols): %s%n",
                        bRate.minMedMax("req/s", 0));
                System.out.printf("    throughput ratio of medians: %.2f (target ≥ %.2f): %s%n", ratio, TARGET_THROUGHPUT_RATIO,
                        met ? "met" : "MISSED");
                return List.of(new Outcome("8", "team server GET over HTTPS + key", String.format("%.0f req/s", pRate.median()),
                        String.format("%.0f req/s fixed, HTTPS", bRate.median()), String.format("%.2f", ratio),
                        String.format("≥ %.2f", TARGET_THROUGHPUT_RATIO), Outcome.Verdict.of(met),
                        errors == 0 ? "" : errors + " errors"));
            }
        } finally {
            Bench.deleteTree(data);
        }
    }

    private static HttpRequest get(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).header("x-api-key", key).build();
    }

    /** {@code perfbox keys create} on the server's data dir, as an operator makes a key; the key is its last line. */
    private String createKey(Path data) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                ServeClasspath.of(root), "io.perfbox.runtime.local.cli.PerfboxCli", "keys", "create", "--tenant", "bench",
                "--data-dir", data.resolve("server").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("perfbox keys create failed: " + out);
        }
        List<String> lines = out.lines().toList();
        return lines.get(lines.size() - 1).strip();
    }

    private static String submitAndWait(HttpClient https, String base, String key) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + "/jobs")).header("x-api-key", key)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(
                        PerfboxApi.dockerfileWithPerf("0.99"))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST /jobs answered " + r.statusCode() + ": " + r.body());
        }
        String id = JSON.readTree(r.body()).get("id").asText();
        for (int i = 0; i < 3000; i++) {
            String status = JSON.readTree(https.send(get(base + "/jobs/" + id, key), HttpResponse.BodyHandlers.ofString())
                    .body()).get("status").asText();
            if (status.equals("SUCCEEDED")) {
                return id;
            }
            if (PerfboxApi.isTerminal(status)) {
                throw new IllegalStateException("benchmark job ended " + status);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("benchmark job " + id + " did not end");
    }
}
