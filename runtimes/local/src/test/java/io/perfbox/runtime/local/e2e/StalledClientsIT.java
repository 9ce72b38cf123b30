package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.net.StalledClient;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
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

    @Test
    void oneClientsStalledHandshakesAndSlowHeadersAreCappedAndClosedWhileHonestClientsAreServed() throws Exception {
        Path dataDir = Path.of("target", "e2e", "stalled-" + UUID.randomUUID()).toAbsolutePath().resolve("data");
        try (PerfboxProcess server = PerfboxProcess.startAsLaunched(dataDir, RealTrivy.with("--tls-self-signed"))) {
            SSLContext trust = Pem.trusting(dataDir.resolve("tls").resolve(SelfSigned.CERT_FILE));
            HttpClient honest = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
            URI jobs = URI.create(server.baseUrl() + "/jobs");
            assertThat(get(honest, jobs)).isEqualTo(200);
            StalledClient attacker = new StalledClient("127.0.0.2", jobs.getPort());
            List<Socket> slowloris = new ArrayList<>();
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < SLOWLORIS_FIRST; i++) {
                    slowloris.add(slowlorisClient(attacker, trust));
                }
                assertThat(slowloris).as("within its share, the attacker's connections are served like any")
                        .noneMatch(StalledClientsIT::closed);
                for (int i = 0; i < STALLED_TLS; i++) {
                    Socket s = attacker.stalledHandshake();
                    if (s != null) { // else refused by the kernel's queue: the server under pressure may do that
                        stalled.add(s);
                    }
                }
                for (int i = SLOWLORIS_FIRST; i < SLOWLORIS; i++) {
                    slowloris.add(slowlorisClient(attacker, trust));
                }
                List<Socket> attack = new ArrayList<>(slowloris);
                attack.addAll(stalled);
                assertThat(server.isAlive()).as("the server is up under the attack").isTrue();
                assertThat(get(honest, jobs)).as("an honest client on its kept-alive connection").isEqualTo(200);
                assertThat(getOnNewConnection(trust, jobs)).as("an honest client on a new connection").isEqualTo(200);

                long held = attack.stream().filter(s -> !closed(s)).count();
                assertThat(held).as("attack connections the server holds: at most the per-client share")
                        .isLessThanOrEqualTo(PER_CLIENT);

                // The held ones end at their deadlines although the slowloris clients keep sending: a byte a second
                // resets an idle timeout, not the header deadline. (The bound here is generous, not a speed target.)
                List<Socket> open = new ArrayList<>(attack.stream().filter(s -> !closed(s)).toList());
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
                    open.removeIf(StalledClientsIT::closed);
                }
                assertThat(open).as("attack connections still open after their deadlines").isEmpty();
                assertThat(getOnNewConnection(trust, jobs)).isEqualTo(200);
                assertThat(server.isAlive()).isTrue();
            } finally {
                slowloris.forEach(StalledClient::closeQuietly);
                stalled.forEach(StalledClient::closeQuietly);
            }
            assertThat(get(honest, jobs)).isEqualTo(200);
        }
    }

    /** A slowloris client of the attacker's; a refused one is returned unconnected (so, closed), never null. */
    private static Socket slowlorisClient(StalledClient attacker, SSLContext trust) {
        Socket s = attacker.slowloris(trust);
        return s == null ? new Socket() : s;
    }

    private static boolean closed(Socket s) {
        return StalledClient.closedByServer(s, 20);
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
