package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that closed gives its client's share back, however it closed: by the client after an answer, before
 * sending anything, mid-request, with a reset, or by the server (Connection: close). A browser that opens and drops
 * connections all day (the console) is never refused for connections it no longer has.
 */
class ConnectionsClosedTest {
    private static final int PER_CLIENT = 4;

    private LocalApiServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws IOException {
        PerfboxApi api = new PerfboxApi(new JobService(new InMemoryJobStore(), new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));
        HttpLimits limits = new HttpLimits(64, PER_CLIENT, 16, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(),
                Optional.empty(), false, List.of(), limits, api);
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), URI.create(server.baseUrl()).getPort());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static final String GET = "GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private String answerTo(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.US_ASCII);
        }
    }

    @Test
    void everyWayAConnectionClosesGivesItsShareBack() throws Exception {
        for (int round = 0; round < 3 * PER_CLIENT; round++) {
            // The client reads the status line and closes while the body is still coming.
            assertThat(answerTo(GET)).startsWith("HTTP/1.1 200");
            // The server closes after its answer.
            assertThat(answerTo("GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
            // The client connects and goes without a word.
            try (Socket s = new Socket()) {
                s.connect(address, 5000);
            }
            // Half a request, then a reset.
            try (Socket s = new Socket()) {
                s.connect(address, 5000);
                s.getOutputStream().write("GET /openapi.json HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                s.setSoLinger(true, 0);
            }
            // The server notices each close in its own time: within a few seconds every share is back.
            awaitNoConnections();
            assertThat(server.connectionsFrom(InetAddress.getLoopbackAddress())).as("round %s", round).isZero();
        }
        assertThat(answerTo(GET)).startsWith("HTTP/1.1 200");
    }

    private void awaitNoConnections() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(5);
        while (server.connectionsFrom(InetAddress.getLoopbackAddress()) > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
    }
}
