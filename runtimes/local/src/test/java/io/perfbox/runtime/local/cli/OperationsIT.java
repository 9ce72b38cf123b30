package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.runtime.local.observe.PrometheusText;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.TestCertificates;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The README's "Operations" section as written there, read from the README itself: the operator's token made with its
 * two commands, the team server started with its serve line (a certificate for perfbox.example made in the test), its
 * curl lines run by a shell (perfbox.example resolved to this machine, as DNS would, with curl's --connect-to), and
 * the Prometheus scrape configuration followed as Prometheus follows it: scheme, target, path, the Bearer credentials
 * file and the CA. Real jobs run on the Docker engine between two scrapes: the counters and the histograms move, and
 * no job's id or name shows up. Only the names that stand for the reader's own (paths, the port) are replaced.
 */
@RequiresDocker
class OperationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "perfbox.example:8443";

    /** The scrape configuration's fields, as {@code key: value} lines of its YAML block (lists as written). */
    private static Map<String, String> scrapeConfig(String section) {
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("the section shows a scrape configuration").isTrue();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : block.group(1).split("\n")) {
            Matcher kv = Pattern.compile("^\\s*(?:- )?([a-z_]+):\\s*(.*?)\\s*$").matcher(line);
            if (kv.matches() && !kv.group(2).isEmpty()) {
                assertThat(fields.put(kv.group(1), kv.group(2))).as("one " + kv.group(1)).isNull();
            }
        }
        return fields;
    }

    private static String command(List<String> commands, String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("the Operations section has no command starting " + prefix + ": " + commands));
    }

    private static String replaced(String text, Map<String, String> names) {
        // Longest names first: /srv/perfbox-metrics.token before /srv/perfbox.
        List<String> keys = new ArrayList<>(names.keySet());
        keys.sort((a, b) -> b.length() - a.length());
        String out = text;
        for (String k : keys) {
            out = out.replace(k, names.get(k));
        }
        return out;
    }

    private record Shell(int exitCode, String out) {
    }

    private static Shell bash(String command, Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Shell(p.exitValue(), out);
    }

    @Test
    void theSectionsCommandsAndScrapeConfigurationWorkAndTheMetricsMoveWithRealJobs() throws Exception {
        ReadmeSection readme = ReadmeSection.of("Operations: health, readiness, metrics");
        String section = readme.text();
        List<String> commands = readme.commands();
        Path root = Path.of("target", "e2e", "readme-ops-" + UUID.randomUUID()).toAbsolutePath();
        Path dataDir = root.resolve("data");
        Path work = Files.createDirectories(root.resolve("work"));
        TestCertificates.Pair pair = TestCertificates.make(work, "EC", "readme-ops", "perfbox.example");
        Files.copy(pair.certificate(), work.resolve("cert.pem"));
        Files.copy(pair.key(), work.resolve("key.pem"));
        Path token = root.resolve("perfbox-metrics.token");
        Map<String, String> names = new HashMap<>(Map.of("/srv/perfbox-metrics.token", token.toString(),
                "/srv/perfbox", dataDir.toString(), "cert.pem", work.resolve("cert.pem").toString(),
                "key.pem", work.resolve("key.pem").toString()));

        // 1. The operator's token, with the section's two commands: readable by its owner only.
        for (String prefix : List.of("install ", "head ")) {
            Shell made = bash(replaced(command(commands, prefix), names), work);
            assertThat(made.exitCode()).as(made.out()).isZero();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        String tokenValue = Files.readString(token).strip();
        assertThat(tokenValue.length()).isGreaterThanOrEqualTo(24);

        // 2. A tenant, and the server as the section starts it (a free port for 8443), scanning with the real Trivy.
        CliRun created = CliRun.of(Map.of(), "keys", "create", "--tenant", "team-ops", "--data-dir", dataDir.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        String tenantKey = created.lastLine();
        String serveLine = command(commands, "./perfbox serve");
        List<String> serve = new ArrayList<>(Arrays.asList(serveLine.split(" ")));
        assertThat(serve.remove(0)).isEqualTo("./perfbox");
        assertThat(serve.remove(0)).isEqualTo("serve");
        assertThat(serve).contains("--metrics-token-file", "/srv/perfbox-metrics.token", "--server-names", "perfbox.example");
        List<String> options = new ArrayList<>(serve.stream().map(w -> w.equals("0.0.0.0:8443") ? "0.0.0.0:0"
                : names.getOrDefault(w, w)).toList());
        options.addAll(List.of(RealTrivy.serveOptions()));
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, options.toArray(String[]::new))) {
            int port = URI.create(server.baseUrl()).getPort();
            String base = "https://127.0.0.1:" + port;
            // perfbox.example:8443 is this server, as DNS and the port mapping would make it.
            String resolve = " --connect-to " + HOST + ":127.0.0.1:" + port;
            HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(pair.certificate())).build();

            // 3. The section's curl lines, as printed: readiness without a key, the metrics with the token.
            String readyCurl = command(commands, "curl -s --cacert cert.pem https://" + HOST + "/readyz");
            Shell ready = bash(replaced(readyCurl, names) + resolve, work);
            assertThat(ready.exitCode()).as(ready.out()).isZero();
            assertThat(JSON.readTree(ready.out()).path("status").asText()).as(ready.out()).isEqualTo("ready");
            String metricsCurl = command(commands, "curl -s --cacert cert.pem -H \"Authorization: Bearer");
            Shell scraped = bash(replaced(metricsCurl, names) + resolve, work);
            assertThat(scraped.exitCode()).as(scraped.out()).isZero();
            PrometheusText before = PrometheusText.parse(scraped.out());
            assertThat(before.value("perfbox_jobs_submitted_total")).contains(0.0);

            // 4. Nobody else reads the metrics: no token, a tenant's key (as a key or as a Bearer), a wrong token.
            for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("x-api-key", tenantKey),
                    Map.of("Authorization", "Bearer " + tenantKey), Map.of("Authorization", "Bearer " + tokenValue + "0"))) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/metrics"));
                headers.forEach(b::header);
                HttpResponse<String> refused = https.send(b.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(headers.keySet().toString()).isEqualTo(401);
                assertThat(refused.body()).doesNotContain("team-ops").doesNotContain("perfbox_");
            }

            // 5. Real jobs: one SUCCEEDED, one FAILED NO_RESULT (its container writes no perf.json).
            String secretName = "secret-job-name-" + UUID.randomUUID();
            String ok = submit(https, base, tenantKey, secretName,
                    "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n");
            String none = submit(https, base, tenantKey, secretName, "FROM debian:bookworm\nCMD true\n");
            assertThat(awaitEnd(Pem.trusting(pair.certificate()), base, tenantKey, ok).path("status").asText()).isEqualTo("SUCCEEDED");
            JsonNode failed = awaitEnd(Pem.trusting(pair.certificate()), base, tenantKey, none);
            assertThat(failed.path("failure").path("code").asText()).isEqualTo("NO_RESULT");

            // 6. The scrape as the configuration says, by curl as Prometheus would: its scheme, target and path,
            //    the Bearer token from its credentials file (a copy of the server's), its CA file.
            Map<String, String> config = scrapeConfig(section);
            assertThat(config).containsEntry("scheme", "https").containsEntry("metrics_path", "/metrics")
                    .containsEntry("type", "Bearer").containsEntry("targets", "[\"" + HOST + "\"]");
            Path credentials = root.resolve("prometheus").resolve(Path.of(config.get("credentials_file")).getFileName());
            Path ca = root.resolve("prometheus").resolve(Path.of(config.get("ca_file")).getFileName());
            Files.createDirectories(credentials.getParent());
            Files.copy(token, credentials);
            Files.copy(pair.certificate(), ca);
            String target = config.get("targets").replaceAll("[\\[\\]\" ]", "");
            Shell prometheus = bash("curl -s --fail --cacert '" + ca + "' -H \"Authorization: Bearer $(cat '" + credentials
                    + "')\"" + resolve + " '" + config.get("scheme") + "://" + target + config.get("metrics_path") + "'", work);
            assertThat(prometheus.exitCode()).as(prometheus.out()).isZero();
            String text = prometheus.out();
            PrometheusText after = PrometheusText.parse(text);

            assertThat(after.value("perfbox_jobs_submitted_total")).contains(2.0);
            assertThat(after.value("perfbox_jobs_finished_total", "status", "SUCCEEDED", "code", "none")).contains(1.0);
            assertThat(after.value("perfbox_jobs_finished_total", "status", "FAILED", "code", "NO_RESULT")).contains(1.0);
            assertThat(after.value("perfbox_jobs_finished_total", "status", "FAILED", "code", "VULNERABLE")).contains(0.0);
            for (String stage : List.of("queue", "build", "scan", "run")) {
                assertThat(after.value("perfbox_stage_duration_seconds_count", "stage", stage)).as(stage).contains(2.0);
                assertThat(after.value("perfbox_stage_duration_seconds_bucket", "stage", stage, "le", "+Inf")).as(stage)
                        .contains(2.0);
            }
            for (String stage : List.of("build", "scan", "run")) {
                assertThat(after.value("perfbox_stage_duration_seconds_sum", "stage", stage)).as(stage)
                        .hasValueSatisfying(v -> assertThat(v).isPositive());
            }
            assertThat(after.samples("perfbox_jobs")).allSatisfy(s -> assertThat(s.value()).isZero());
            assertThat(after.value("perfbox_workers_busy")).contains(0.0);
            assertThat(after.value("perfbox_workers")).contains(2.0);
            assertThat(after.value("perfbox_data_dir_bytes")).hasValueSatisfying(v -> assertThat(v).isPositive());
            assertThat(after.value("perfbox_build_cache_bytes")).hasValueSatisfying(v -> assertThat(v).isNotNegative());
            assertThat(after.value("perfbox_scanner_db_age_seconds")).hasValueSatisfying(v -> assertThat(v).isNotNegative());
            assertThat(text).doesNotContain(ok).doesNotContain(none).doesNotContain(secretName).doesNotContain(tenantKey)
                    .doesNotContain(tokenValue);
        }
    }

    private static String submit(HttpClient https, String base, String key, String name, String dockerfile) throws Exception {
        String body = JSON.writeValueAsString(Map.of("name", name, "dockerfile", dockerfile));
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(base + "/jobs")).header("x-api-key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("id").asText();
    }

    private static JsonNode awaitEnd(SSLContext tls, String base, String key, String id) throws Exception {
        return new Http(base, Map.of("x-api-key", key), tls).awaitEnd(id, Duration.ofMinutes(4));
    }
}
