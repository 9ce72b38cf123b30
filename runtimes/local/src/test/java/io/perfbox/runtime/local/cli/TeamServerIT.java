package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.Http;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.TestCertificates;
import io.perfbox.runtime.local.tls.TlsProbe;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A team server as the README's "Team server" section starts it: HTTPS with a certificate made here, API keys made
 * with {@code perfbox keys} on its data dir while it runs, two tenants, the CLI over HTTPS.
 */
@RequiresDocker
class TeamServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";
    private static Path dataDir;
    private static Path work;
    private static TestCertificates.Pair certificate;
    private static PerfboxProcess server;
    private static HttpClient https;
    private static final List<String> KEYS_SEEN = new ArrayList<>();

    private record Reply(int status, HttpResponse<String> raw) {
        JsonNode json() throws IOException {
            return JSON.readTree(raw.body());
        }
    }

    @BeforeAll
    static void startTeamServer() throws Exception {
        Path root = Path.of("target", "e2e", "team-" + UUID.randomUUID()).toAbsolutePath();
        dataDir = root.resolve("data");
        work = Files.createDirectories(root.resolve("work"));
        certificate = TestCertificates.make(work, "EC", "perfbox-test");
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--listen", "127.0.0.1:0",
                "--tls-cert", certificate.certificate().toString(), "--tls-key", certificate.key().toString(),
                "--require-keys", "--max-submissions-per-day", "8"));
        SSLContext trust = Pem.trusting(certificate.certificate());
        https = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopTeamServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String newKey(String tenant) {
        CliRun created = CliRun.of(Map.of(), "keys", "create", "--tenant", tenant, "--data-dir", dataDir.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        String key = created.lastLine();
        assertThat(key).startsWith("pbk_");
        KEYS_SEEN.add(key);
        return key;
    }

    private static Reply send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("x-api-key", key);
        }
        if (body != null) {
            b.header("Content-Type", "text/plain").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = https.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r);
    }

    private static void assertProblem(Reply reply, int status) throws IOException {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(reply.json().get("status").asInt()).isEqualTo(status);
    }

    @Test
    void pastItsDailySubmissionsATenantGets429WithRetryAfterAndOthersDoNot() throws Exception {
        String key = newKey("quota");
        for (int i = 0; i < 8; i++) {
            assertThat(send("POST", "/jobs", key, DOCKERFILE).status()).isEqualTo(202);
        }
        Reply refused = send("POST", "/jobs", key, DOCKERFILE);
        assertProblem(refused, 429);
        assertThat(refused.raw().headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Long.parseLong(v)).isBetween(1L, 24L * 3600));
        assertThat(refused.json().get("detail").asText()).contains("24 hours");
        assertThat(send("POST", "/jobs", newKey("quota-other"), DOCKERFILE).status()).isEqualTo(202);
    }

    @Test
    void deletingItsFinishedJobsDoesNotGiveATenantItsDailySubmissionsBack() throws Exception {
        String key = newKey("deleting");
        String failingBuild = "FROM debian:bookworm\nRUN exit 1\n";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Reply accepted = send("POST", "/jobs", key, failingBuild);
            assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
            ids.add(accepted.json().get("id").asText());
        }
        for (String id : ids) {
            assertThat(awaitEnd(key, id).get("failure").get("code").asText()).isEqualTo("BUILD_FAILED");
            assertThat(send("DELETE", "/jobs/" + id, key, null).status()).isEqualTo(200);
        }
        assertThat(send("GET", "/jobs", key, null).json().get("jobs")).isEmpty();
        Reply refused = send("POST", "/jobs", key, DOCKERFILE);
        assertProblem(refused, 429);
        assertThat(refused.json().get("detail").asText()).contains("made 8 submissions");
    }

    @Test
    void aTenantsSingleJobIsNotQueuedBehindAnotherTenantsBurst() throws Exception {
        String burst = newKey("burst");
        String lone = newKey("lone");
        List<String> burstJobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burstJobs.add(send("POST", "/jobs", burst, DOCKERFILE).json().get("id").asText());
        }
        String loneJob = send("POST", "/jobs", lone, DOCKERFILE).json().get("id").asText();
        JsonNode loneEnded = awaitEnd(lone, loneJob);
        assertThat(loneEnded.get("status").asText()).isEqualTo("SUCCEEDED");
        Instant loneBuild = Instant.parse(loneEnded.get("stages").get("buildStartedAt").asText());
        int startedBefore = 0;
        for (String id : burstJobs) {
            JsonNode job = awaitEnd(burst, id);
            Instant build = Instant.parse(job.get("stages").get("buildStartedAt").asText());
            if (build.isBefore(loneBuild)) {
                startedBefore++;
            }
        }
        // First come first served would start all 8 (less the one beside it) first; in turn, at most the first few.
        assertThat(startedBefore).isLessThanOrEqualTo(3);
    }

    private static JsonNode awaitEnd(String key, String id) throws Exception {
        return new Http(server.baseUrl(), Map.of("x-api-key", key),
                Pem.trusting(certificate.certificate())).awaitEnd(id, Duration.ofMinutes(3));
    }

    @Test
    void theServerListensOnHttps() {
        assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
    }

    @Test
    void onlyTls12And13AreAccepted() throws Exception {
        Path security = Files.writeString(work.resolve("all-tls.security"), "jdk.tls.disabledAlgorithms=\n");
        URI base = URI.create(server.baseUrl());
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.properties=" + security, "-cp", System.getProperty("java.class.path"),
                TlsProbe.class.getName(), base.getHost(), String.valueOf(base.getPort()), certificate.certificate().toString(),
                "TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1").redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("TLSv1.3 accepted TLSv1.3").contains("TLSv1.2 accepted TLSv1.2")
                .contains("TLSv1.1 refused").contains("TLSv1 refused");
    }

    @Test
    void aRequestWithoutAValidKeyIsRefusedWith401() throws Exception {
        assertProblem(send("GET", "/jobs", null, null), 401);
        assertProblem(send("GET", "/jobs", "pbk_000000000000_" + "A".repeat(43), null), 401);
        assertProblem(send("POST", "/jobs", "not-a-key", DOCKERFILE), 401);
        assertThat(send("GET", "/jobs", newKey("valid"), null).status()).isEqualTo(200);
    }

    @Test
    void aRevokedKeyIsRefusedFromThenOnWithoutARestart() throws Exception {
        String key = newKey("revoking");
        assertThat(send("GET", "/jobs", key, null).status()).isEqualTo(200);
        String id = key.substring(4, 16);
        CliRun listed = CliRun.onTerminal(Map.of(), "keys", "list", "--data-dir", dataDir.toString());
        assertThat(listed.out().lines()).anySatisfy(line -> assertThat(line).matches(id + " +revoking +\\S+ +active"));
        CliRun revoked = CliRun.of(Map.of(), "keys", "revoke", id, "--data-dir", dataDir.toString());
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        // The server trusts a key lookup for a second (README): the revoke counts within it.
        Thread.sleep(1100);
        assertProblem(send("GET", "/jobs", key, null), 401);
        JsonNode keys = JSON.readTree(CliRun.of(Map.of(), "keys", "list", "--data-dir", dataDir.toString()).out());
        assertThat(keys).anySatisfy(k -> {
            assertThat(k.get("id").asText()).isEqualTo(id);
            assertThat(k.get("tenant").asText()).isEqualTo("revoking");
            assertThat(k.get("state").asText()).isEqualTo("revoked");
        });
    }

    @Test
    void anotherTenantCannotSeeListReadTheLogsOfOrDeleteAJob() throws Exception {
        String a = newKey("tenant-a");
        String b = newKey("tenant-b");
        Reply submitted = send("POST", "/jobs", a, DOCKERFILE);
        assertThat(submitted.status()).as(submitted.raw().body()).isEqualTo(202);
        String job = submitted.json().get("id").asText();

        for (String path : List.of("/jobs/" + job, "/jobs/" + job + "/logs", "/jobs/" + job + "/scan")) {
            assertProblem(send("GET", path, b, null), 404);
        }
        assertProblem(send("DELETE", "/jobs/" + job, b, null), 404);
        assertThat(send("GET", "/jobs", b, null).raw().body()).doesNotContain(job);

        assertThat(send("GET", "/jobs/" + job, a, null).status()).isEqualTo(200);
        assertThat(send("GET", "/jobs", a, null).raw().body()).contains(job);
        assertThat(send("GET", "/jobs/" + job + "/logs", a, null).status()).isEqualTo(200);
    }

    @Test
    void theCliSpeaksHttpsWithACaFileOrAPinnedFingerprintAndRefusesAWrongOne() throws Exception {
        String key = newKey("cli");
        Path dockerfile = Files.writeString(work.resolve("Dockerfile"), DOCKERFILE);
        Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl(), "PERFBOX_API_KEY", key);

        CliRun submitted = CliRun.of(env, "submit", dockerfile.toString(), "--cacert", certificate.certificate().toString(), "--wait");
        assertThat(submitted.exitCode()).as(submitted.out() + submitted.err()).isZero();
        assertThat(submitted.out()).contains("SUCCEEDED").contains("performance: 0.5");

        String fingerprint = Pem.fingerprint(certificate.x509());
        CliRun pinned = CliRun.of(Map.of(), "list", "--url", server.baseUrl(), "--api-key", key, "--fingerprint", fingerprint);
        assertThat(pinned.exitCode()).as(pinned.err()).isZero();
        assertThat(pinned.out()).contains("SUCCEEDED");

        String wrong = "00:" + fingerprint.substring(3);
        CliRun refusedPin = CliRun.of(env, "list", "--fingerprint", wrong.equals(fingerprint) ? "11:" + fingerprint.substring(3) : wrong);
        assertThat(refusedPin.exitCode()).isEqualTo(3);
        assertThat(refusedPin.err()).contains("not trusted");

        TestCertificates.Pair other = TestCertificates.make(work, "EC", "someone-else");
        CliRun refusedCa = CliRun.of(env, "list", "--cacert", other.certificate().toString());
        assertThat(refusedCa.exitCode()).isEqualTo(3);
        assertThat(refusedCa.err()).contains("not trusted");

        CliRun noTrust = CliRun.of(env, "list");
        assertThat(noTrust.exitCode()).isEqualTo(3);

        CliRun noKey = CliRun.of(Map.of("PERFBOX_URL", server.baseUrl()), "list", "--cacert", certificate.certificate().toString());
        assertThat(noKey.exitCode()).isEqualTo(1);
        assertThat(noKey.err()).contains("401");
    }

    @Test
    void keysNeverAppearInTheDataDirLogsOrResponses() throws Exception {
        String key = newKey("secretive");
        Reply submitted = send("POST", "/jobs", key, DOCKERFILE);
        String job = submitted.json().get("id").asText();
        List<String> bodies = new ArrayList<>(List.of(submitted.raw().body(), submitted.raw().headers().toString()));
        bodies.add(send("GET", "/jobs/" + job, key, null).raw().body());
        bodies.add(send("GET", "/jobs", key, null).raw().body());
        bodies.add(send("GET", "/jobs/nope", key, null).raw().body());
        send("GET", "/jobs", key + "x", null);
        for (String body : bodies) {
            assertThat(body).doesNotContain(key).doesNotContain(secretOf(key));
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dataDir)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        try (Stream<Path> logs = Files.list(dataDir.getParent())) {
            logs.filter(p -> p.getFileName().toString().endsWith(".log")).forEach(files::add);
        }
        assertThat(files).anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("perfbox.db"));
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String k : KEYS_SEEN) {
                assertThat(content).as(f.toString()).doesNotContain(secretOf(k));
            }
        }
    }

    private static String secretOf(String key) {
        return key.substring("pbk_000000000000_".length());
    }
}
