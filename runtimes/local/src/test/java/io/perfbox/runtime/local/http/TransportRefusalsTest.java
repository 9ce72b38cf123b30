package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the transport itself refuses (Jetty, before the API sees the request) answers as every other refusal does:
 * problem+json with its slug, a request id, never Jetty's own HTML page. Sent as raw bytes on a socket, as an
 * attacker sends them: a request line too long (414), headers too large (431), a body that stalls (408).
 */
class TransportRefusalsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);

    private LocalApiServer server;

    private record Answer(int status, String headers, String body) {
        String header(String name) {
            return headers.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(null);
        }

        JsonNode problem() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeEach
    void start() throws IOException {
        PerfboxApi api = new PerfboxApi(new JobService(new InMemoryJobStore(), new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));
        HttpLimits limits = new HttpLimits(64, 16, 16, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), BODY_TIMEOUT);
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(),
                Optional.empty(), false, List.of(), limits, api);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends the bytes (then, when given, more after a pause) and reads the whole answer until the server closes. */
    private Answer exchange(String request, byte[] more, Duration pause) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (more != null) {
                Thread.sleep(pause.toMillis());
                try {
                    out.write(more);
                    out.flush();
                } catch (IOException closedAlready) {
                    // The server may have answered and closed: what it answered is read below.
                }
            }
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = raw.indexOf("\r\n\r\n");
            assertThat(end).as("an HTTP answer: %s", raw).isPositive();
            String head = raw.substring(0, end);
            int status = Integer.parseInt(head.substring(9, 12));
            String body = raw.substring(end + 4);
            if ("chunked".equalsIgnoreCase(new Answer(status, head, "").header("Transfer-Encoding"))) {
                body = dechunk(body);
            }
            return new Answer(status, head, body);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int line = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, line).strip(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, line + 2, line + 2 + size);
            at = line + 2 + size + 2;
        }
    }

    private static void assertProblem(Answer answer, int status, String slug) throws IOException {
        assertThat(answer.status()).as(answer.headers()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = answer.problem();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("type").asText()).isEqualTo("urn:perfbox:problem:" + slug);
        assertThat(answer.header(PerfboxApi.REQUEST_ID)).as("a request id, as every answer has").isNotBlank();
        assertThat(answer.body()).doesNotContain("<html", "org.eclipse.jetty", "Exception");
    }

    @Test
    void requestLineLongerThanTheHeaderLimitIs414UriTooLong() throws Exception {
        String path = "/jobs/" + "a".repeat(LocalApiServer.MAX_HEADER_BYTES + 1024);
        Answer answer = exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n", null, Duration.ZERO);

        assertProblem(answer, 414, "uri-too-long");
    }

    @Test
    void headersOverTheLimitAre431HeadersTooLarge() throws Exception {
        String big = "X-Filler: " + "b".repeat(LocalApiServer.MAX_HEADER_BYTES + 1024) + "\r\n";
        Answer answer = exchange("GET /jobs HTTP/1.1\r\nHost: localhost\r\n" + big + "\r\n", null, Duration.ZERO);

        assertProblem(answer, 431, "headers-too-large");
    }

    @Test
    void bodyThatStallsPastTheBodyTimeoutIs408AndTheConnectionCloses() throws Exception {
        String dockerfile = "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n";
        byte[] bytes = dockerfile.getBytes(StandardCharsets.UTF_8);
        String head = "POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
                + bytes.length + "\r\n\r\n";
        // Half the body, then nothing for three times the body timeout: the slow-body attack.
        Answer answer = exchange(head + dockerfile.substring(0, 10), Arrays.copyOfRange(bytes, 10,
                bytes.length), BODY_TIMEOUT.multipliedBy(3));

        assertProblem(answer, 408, "request-timeout");
        assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
    }
}
