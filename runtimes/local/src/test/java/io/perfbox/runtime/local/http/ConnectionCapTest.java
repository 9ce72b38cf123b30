package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --max-connections: at the cap the server takes no new connection (it waits in the kernel's queue) and keeps serving
 * the ones it holds; once one of them closes, the one waiting is taken and answered.
 */
class ConnectionCapTest {
    private static final Duration IDLE = Duration.ofSeconds(12);

    private LocalApiServer server;

    @BeforeEach
    void start() throws IOException {
        PerfboxApi api = new PerfboxApi(new JobService(new InMemoryJobStore(), new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));
        HttpLimits limits = new HttpLimits(2, 2, 16, IDLE, Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(),
                Optional.empty(), false, List.of(), limits, api);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A connection from {@code from} (its own client, as its per-client share goes) with a request sent. */
    private Socket connectAndAsk(String from) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port(), InetAddress.getByName(from), 0);
        socket.getOutputStream().write("GET /jobs HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The status line's first bytes, read within {@code within}. */
    private static String answer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        byte[] start = socket.getInputStream().readNBytes(12);
        return new String(start, StandardCharsets.US_ASCII);
    }

    @Test
    void atTheCapANewConnectionWaitsUntilOneTheServerHoldsCloses() throws Exception {
        // The first from a client of its own: its close does not also free a slot of the others' share.
        Socket first = connectAndAsk("127.0.0.2");
        try (Socket second = connectAndAsk("127.0.0.1")) {
            assertThat(answer(first, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
            assertThat(answer(second, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
            try (Socket third = connectAndAsk("127.0.0.1")) {
                assertThatThrownBy(() -> answer(third, Duration.ofSeconds(2)))
                        .as("past the cap the server takes no new connection")
                        .isInstanceOf(SocketTimeoutException.class);
                assertThat(second.isClosed()).isFalse();
                first.close();
                assertThat(answer(third, Duration.ofSeconds(10))).as("taken once one of the two is gone")
                        .startsWith("HTTP/1.1 200");
            }
        } finally {
            first.close();
        }
    }
}
