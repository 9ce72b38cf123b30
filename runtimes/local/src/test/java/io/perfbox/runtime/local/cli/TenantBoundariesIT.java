package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.runtime.local.e2e.PerfboxProcess;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What one tenant (or a careless first key) can do to a real {@code perfbox serve}: keys, once made, are required on
 * loopback too; one tenant's follows cannot take every live-log slot; a build line carrying terminal sequences reaches
 * the CLI's terminal as text.
 */
@RequiresDocker
class TenantBoundariesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Runs long enough to be followed; cancelled at the end. */
    private static final String LONG_JOB = "FROM debian:bookworm\nCMD sleep 300\n";

    private static Path dataDir(String name) {
        return Path.of("target", "e2e", name + "-" + UUID.randomUUID()).toAbsolutePath().resolve("data");
    }

    private static HttpResponse<String> get(PerfboxProcess server, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("x-api-key", key);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String submit(PerfboxProcess server, String key, String dockerfile) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/jobs")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(dockerfile));
        if (key != null) {
            b.header("x-api-key", key);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).get("id").asText();
    }

    private static String newKey(Path dataDir, String tenant, List<String> printed) {
        CliRun created = CliRun.of(Map.of(), "keys", "create", "--tenant", tenant, "--data-dir", dataDir.toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        printed.add(created.out());
        return created.lastLine();
    }

    private static void assertUnauthenticated(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
    }

    @Test
    void onceADataDirHoldsAKeyEveryRequestNeedsOneLoopbackIncludedEvenAfterARevoke() throws Exception {
        Path dataDir = dataDir("keys-once-made");
        List<String> printed = new ArrayList<>();
        String key;
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with())) {
            assertThat(get(server, "/jobs", null).statusCode()).as("no key made: the local user's server").isEqualTo(200);

            key = newKey(dataDir, "team-a", printed);
            assertThat(printed.get(0)).contains("now needs an API key", "loopback included");
            // The server learns of a key made by another process within its one-second window.
            HttpResponse<String> keyless = null;
            for (int i = 0; i < 40; i++) {
                keyless = get(server, "/jobs", null);
                if (keyless.statusCode() == 401) {
                    break;
                }
                Thread.sleep(100);
            }
            assertUnauthenticated(keyless);
            assertThat(get(server, "/jobs", key).statusCode()).isEqualTo(200);
        }
        CliRun revoked = CliRun.of(Map.of(), "keys", "revoke", key.substring(4, 16), "--data-dir", dataDir.toString());
        assertThat(revoked.exitCode()).as(revoked.out() + revoked.err()).isZero();
        try (PerfboxProcess restarted = PerfboxProcess.start(dataDir, RealTrivy.with())) {
            // start() returns at the "listening" line; the lines after it may still be on their way.
            Path serverLog = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
            String log = Files.readString(serverLog);
            // The log holds the first start's lines too: wait for the "data in" line after the last "listening".
            for (int i = 0; i < 100 && log.indexOf("data in ", log.lastIndexOf("perfbox listening")) < 0; i++) {
                Thread.sleep(100);
                log = Files.readString(serverLog);
            }
            assertThat(log.substring(log.lastIndexOf("perfbox listening"))).contains("API keys required, since this data dir holds keys");
            assertUnauthenticated(get(restarted, "/jobs", null));
            assertUnauthenticated(get(restarted, "/jobs", key));
        }
    }

    @Test
    void aTenantFollowingItsOwnJobOverAndOverLeavesLiveLogSlotsForOthers() throws Exception {
        Path dataDir = dataDir("follow-share");
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with("--require-keys"))) {
            List<String> printed = new ArrayList<>();
            String mallory = newKey(dataDir, "mallory", printed);
            String alice = newKey(dataDir, "alice", printed);
            String malloryJob = submit(server, mallory, LONG_JOB);
            String aliceJob = submit(server, alice, LONG_JOB);
            List<InputStream> held = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    HttpResponse<InputStream> follow = follow(server, malloryJob, mallory);
                    assertThat(follow.statusCode()).as("follow %d", i + 1).isEqualTo(200);
                    held.add(follow.body());
                }
                HttpResponse<InputStream> ninth = follow(server, malloryJob, mallory);
                held.add(ninth.body());
                assertThat(ninth.statusCode()).isEqualTo(429);
                assertThat(ninth.headers().firstValue("Retry-After")).isPresent();
                assertThat(ninth.headers().firstValue("Content-Type")).hasValueSatisfying(
                        ct -> assertThat(ct).startsWith("application/problem+json"));

                HttpResponse<InputStream> others = follow(server, aliceJob, alice);
                held.add(others.body());
                assertThat(others.statusCode()).as("another tenant's follow").isEqualTo(200);
            } finally {
                for (InputStream in : held) {
                    in.close();
                }
                cancel(server, malloryJob, mallory);
                cancel(server, aliceJob, alice);
            }
        }
    }

    @Test
    void aBuildLineCarryingTerminalSequencesReachesTheCliAsText() throws Exception {
        Path dataDir = dataDir("terminal");
        try (PerfboxProcess server = PerfboxProcess.start(dataDir, RealTrivy.with())) {
            // Raw ESC and BEL in the Dockerfile: the build prints them, and the failure message quotes the command.
            String id = submit(server, null, "FROM debian:bookworm\nRUN echo '\u001b]0;pwned\u0007\u001b[2J\u001b[Hfake prompt'; exit 3\n");
            JsonNode ended = null;
            for (int i = 0; i < 600; i++) {
                ended = JSON.readTree(get(server, "/jobs/" + id, null).body());
                if (ended.get("status").asText().equals("FAILED")) {
                    break;
                }
                Thread.sleep(250);
            }
            assertThat(ended.get("failure").get("code").asText()).isEqualTo("BUILD_FAILED");
            Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());
            CliRun status = CliRun.onTerminal(env, "status", id);
            CliRun logs = CliRun.onTerminal(env, "logs", id);
            CliRun piped = CliRun.of(env, "logs", id);
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out() + status.err()).doesNotContain("\u001b", "\u0007");
            assertThat(logs.out()).doesNotContain("\u001b", "\u0007").contains("\\u001b]0;pwned\\u0007");
            assertThat(piped.out()).as("piped: byte-exact").contains("\u001b]0;pwned\u0007");
        }
    }

    private static HttpResponse<InputStream> follow(PerfboxProcess server, String id, String key) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/jobs/" + id + "/logs?follow=true"))
                .timeout(Duration.ofSeconds(30)).header("x-api-key", key).GET().build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static void cancel(PerfboxProcess server, String id, String key) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/jobs/" + id + "/cancel")).header("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }
}
