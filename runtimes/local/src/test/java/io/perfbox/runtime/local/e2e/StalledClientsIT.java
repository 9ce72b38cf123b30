package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * One client without a key (every attack socket bound to 127.0.0.2) opens thousands of connections that each send the
 * first bytes of a TLS record and stall, and hundreds that finish the handshake and then send a request's headers a
 * byte at a time (slowloris). The server, as ./perfbox launches it (its bounded heap, its default limits), stays up;
 * it closes the attacker's connections past its per-client share at once; the ones it held are closed at their
 * deadline (handshake, headers) although the slowloris ones keep sending; and honest clients from 127.0.0.1 keep
 * getting answers throughout, on their kept-alive connection and on new ones.
 */
@RequiresDocker
class StalledClientsIT {
    private static final int STALLED_TLS = 3000;
    private static final int SLOWLORIS = 300;
    /** The attacker's share that it may take first with handshakes done: the rest of its slowloris come after. */
    private static final int SLOWLORIS_FIRST = 32;
    /** The default of --max-connections-per-client. */
    private static final int PER_CLIENT = 64;
    private static final InetAddress ATTACKER = loopback("127.0.0.2");

    @Test
    void oneClientsStalledHandshakesAndSlowHeadersAreCappedAndClosedWhileHonestClientsAreServed() throws Exception {
        Path dataDir = Path.of("target", "e2e", "stalled-" + UUID.randomUUID()).toAbsolutePath().resolve("data");
        try (PerfboxProcess server = PerfboxProcess.startAsLaunched(dataDir, RealTrivy.with("--tls-self-signed"))) {
            SSLContext trust = Pem.trusting(dataDir.resolve("tls").resolve(SelfSigned.CERT_FILE));
            HttpClient honest = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
            URI jobs = URI.create(server.baseUrl() + "/jobs");
            assertThat(get(honest, jobs)).isEqualTo(200);
            int port = jobs.getPort();
            List<Socket> slowloris = new ArrayList<>();
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < SLOWLORIS_FIRST; i++) {
                    slowloris.add(slowlorisClient(trust, port));
                }
                assertThat(slowloris).as("within its share, the attacker's connections are served like any")
                        .noneMatch(StalledClientsIT::closedByServer);
                for (int i = 0; i < STALLED_TLS; i++) {
                    Socket s = open(port);
                    if (s == null) {
                        continue; // refused by the kernel's queue: the server under pressure may do that
                    }
                    stalled.add(s);
                    try {
                        // A TLS handshake record's first three bytes, and nothing more.
                        s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
                    } catch (IOException e) {
                        // closed by the server already
                    }
                }
                for (int i = SLOWLORIS_FIRST; i < SLOWLORIS; i++) {
                    slowloris.add(slowlorisClient(trust, port));
                }
                List<Socket> attack = new ArrayList<>(slowloris);
                attack.addAll(stalled);
                assertThat(server.isAlive()).as("the server is up under the attack").isTrue();
                assertThat(get(honest, jobs)).as("an honest client on its kept-alive connection").isEqualTo(200);
                assertThat(getOnNewConnection(trust, jobs)).as("an honest client on a new connection").isEqualTo(200);

                long held = attack.stream().filter(s -> !closedByServer(s)).count();
                assertThat(held).as("attack connections the server holds: at most the per-client share")
                        .isLessThanOrEqualTo(PER_CLIENT);

                // The held ones end at their deadlines although the slowloris clients keep sending: a byte a second
                // resets an idle timeout, not the header deadline. (The bound here is generous, not a speed target.)
                List<Socket> open = new ArrayList<>(attack.stream().filter(s -> !closedByServer(s)).toList());
                for (int round = 0; round < 90 && !open.isEmpty(); round++) {
                    for (Socket s : open) {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write('X');
                            out.flush();
                        } catch (IOException e) {
                            // closed by the server: what it should do
                        }
                    }
                    assertThat(server.isAlive()).as("the server is up, round %d", round).isTrue();
                    assertThat(get(honest, jobs)).as("an honest client, round %d", round).isEqualTo(200);
                    Thread.sleep(1000);
                    open.removeIf(StalledClientsIT::closedByServer);
                }
                assertThat(open).as("attack connections still open after their deadlines").isEmpty();
                assertThat(getOnNewConnection(trust, jobs)).isEqualTo(200);
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (Socket s : slowloris) {
                    closeQuietly(s);
                }
                for (Socket s : stalled) {
                    closeQuietly(s);
                }
            }
            assertThat(get(honest, jobs)).isEqualTo(200);
        }
    }

    /**
     * A slowloris client from the attacker's address: the handshake done, a request line and the first header sent,
     * then (by the caller) a byte now and then. Null-free: a refused one is returned closed.
     */
    private static Socket slowlorisClient(SSLContext trust, int port) {
        Socket plain = open(port);
        if (plain == null) {
            return new Socket();
        }
        try {
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            tls.setSoTimeout(5000);
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            out.write(("GET /jobs HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return tls;
        } catch (IOException e) {
            return plain; // closed at once by the server: its share is taken
        }
    }

    /** Whether the server has closed {@code s}: its read ends (or resets) instead of waiting. */
    private static boolean closedByServer(Socket s) {
        if (s.isClosed() || !s.isConnected()) {
            return true;
        }
        try {
            s.setSoTimeout(20);
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static Socket open(int port) {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(ATTACKER, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            return null;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to close
        }
    }

    private static InetAddress loopback(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int getOnNewConnection(SSLContext trust, URI uri) throws Exception {
        try (HttpClient fresh = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build()) {
            return get(fresh, uri);
        }
    }

    private static int get(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
