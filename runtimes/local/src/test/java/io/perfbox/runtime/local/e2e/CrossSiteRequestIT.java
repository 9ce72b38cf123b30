package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a web page in the user's browser could make it send to {@code perfbox serve}, over real HTTP: a cross-site
 * "simple" POST (text/plain, no preflight) and requests after DNS rebinding (the page's own name in Host). All are
 * refused, nothing is submitted, and clients that are not browsers (the CLI, curl) go on working.
 */
@RequiresDocker
class CrossSiteRequestIT {
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";
    private static PerfboxProcess server;
    private static String hostPort;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "cross-site-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "1"));
        URI base = URI.create(server.baseUrl());
        hostPort = base.getHost() + ":" + base.getPort();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    private static void assertProblem(RawHttp.Reply reply, int status, String type) throws Exception {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).isEqualTo("urn:perfbox:problem:" + type);
        assertThat(reply.header("X-Request-Id")).isNotBlank();
    }

    private static int jobCount() throws Exception {
        return new Http(server.baseUrl()).get("/jobs?limit=100").json().get("jobs").size();
    }

    @Test
    void aCrossSiteTextPlainPostIsRefused403AndSubmitsNothing() throws Exception {
        int before = jobCount();
        // What a form on https://attacker.example (enctype text/plain) or its fetch(mode: 'no-cors') sends.
        RawHttp.Reply reply = RawHttp.send(server.baseUrl(), "POST", "/jobs", headers("Host", hostPort,
                "Origin", "https://attacker.example", "Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site"), DOCKERFILE);
        assertProblem(reply, 403, "cross-origin-request");
        assertThat(reply.json().get("detail").asText()).contains("https://attacker.example");

        assertProblem(RawHttp.send(server.baseUrl(), "POST", "/jobs", headers("Host", hostPort, "Origin", "null",
                "Content-Type", "text/plain"), DOCKERFILE), 403, "cross-origin-request");
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void aRequestWhoseHostIsAReboundNameIsRefused421() throws Exception {
        String port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        // After rebinding, attacker.example resolves to 127.0.0.1 and the browser sends its own name as Host.
        assertProblem(RawHttp.send(server.baseUrl(), "GET", "/jobs", headers("Host", "attacker.example:" + port), null),
                421, "misdirected-request");
        assertProblem(RawHttp.send(server.baseUrl(), "GET", "/openapi.json", headers("Host", "attacker.example:" + port), null),
                421, "misdirected-request");
        int before = jobCount();
        assertProblem(RawHttp.send(server.baseUrl(), "POST", "/jobs", headers("Host", "attacker.example:" + port,
                "Origin", "http://attacker.example:" + port, "Content-Type", "text/plain"), DOCKERFILE), 421, "misdirected-request");
        assertProblem(RawHttp.send(server.baseUrl(), "GET", "/jobs", headers(), null), 421, "misdirected-request");
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void theServersOwnOriginAndLocalhostAreServed() throws Exception {
        String port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        assertThat(RawHttp.send(server.baseUrl(), "GET", "/jobs", headers("Host", "localhost:" + port), null).status())
                .isEqualTo(200);
        RawHttp.Reply sameOrigin = RawHttp.send(server.baseUrl(), "POST", "/jobs", headers("Host", hostPort,
                "Origin", server.baseUrl(), "Content-Type", "text/plain", "X-Perfbox-Console", "1"), DOCKERFILE);
        assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(202);
    }

    @Test
    void aPostFromThisOriginWithoutTheConsolesHeaderIsRefused403AndSubmitsNothing() throws Exception {
        int before = jobCount();
        // A form on a page of this very origin (a page perfbox does not serve) could send only this: no custom header.
        RawHttp.Reply reply = RawHttp.send(server.baseUrl(), "POST", "/jobs", headers("Host", hostPort,
                "Origin", server.baseUrl(), "Content-Type", "text/plain"), DOCKERFILE);
        assertProblem(reply, 403, "cross-origin-request");
        assertThat(reply.json().get("detail").asText()).contains("X-Perfbox-Console: 1");
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void theCliAndClientsWithoutAnOriginStillWork() throws Exception {
        Map<String, String> env = Map.of("PERFBOX_URL", server.baseUrl());
        Path dockerfile = Files.writeString(server.dataDir().resolveSibling(server.dataDir().getFileName()
                + "-Dockerfile"), DOCKERFILE);
        Process submit = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.perfbox.runtime.local.cli.PerfboxCli",
                "submit", dockerfile.toString(), "-q", "--url", env.get("PERFBOX_URL")).redirectErrorStream(true).start();
        String id = new String(submit.getInputStream().readAllBytes()).strip();
        assertThat(submit.waitFor()).as(id).isZero();
        assertThat(id).matches("[0-9a-f-]{36}");
        JsonNode ended = new Http(server.baseUrl()).awaitEnd(id, Duration.ofMinutes(3));
        assertThat(ended.get("status").asText()).isEqualTo("SUCCEEDED");
    }
}
