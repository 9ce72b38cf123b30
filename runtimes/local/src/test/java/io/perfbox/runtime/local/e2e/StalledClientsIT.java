package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.junit.jupiter.api.Test;

/**
 * One client without a key opens thousands of connections that each send the first bytes of a TLS record and stall,
 * and hundreds that send a request's headers a byte at a time (slowloris). The server, as ./perfbox launches it (its
 * bounded heap), stays up and keeps answering an honest client on its connection: past its connection cap it closes
 * new connections at once instead of holding each one's TLS buffers until the heap runs out (which killed it).
 * Not yet shown, and not yet true of the JDK server: stalled handshakes closed after a timeout, a per-client cap.
 */
@RequiresDocker
class StalledClientsIT {
    private static final int STALLED_TLS = 3000;
    private static final int SLOWLORIS = 300;

    @Test
    void stalledTlsHandshakesAndSlowHeadersNeitherStopTheServerNorStarveAnHonestClient() throws Exception {
        Path dataDir = Path.of("target", "e2e", "stalled-" + UUID.randomUUID()).toAbsolutePath().resolve("data");
        try (PerfboxProcess server = PerfboxProcess.startAsLaunched(dataDir, RealTrivy.with("--tls-self-signed"))) {
            HttpClient honest = HttpClient.newBuilder()
                    .sslContext(Pem.trusting(dataDir.resolve("tls").resolve(SelfSigned.CERT_FILE)))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            URI jobs = URI.create(server.baseUrl() + "/jobs");
            assertThat(get(honest, jobs)).isEqualTo(200);
            int port = jobs.getPort();
            List<Socket> attack = new ArrayList<>();
            try {
                for (int i = 0; i < STALLED_TLS; i++) {
                    Socket s = open(port);
                    if (s == null) {
                        continue; // refused under pressure: what the server should do
                    }
                    attack.add(s);
                    try {
                        // A TLS handshake record's first three bytes, and nothing more.
                        s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
                    } catch (IOException e) {
                        // closed by the server: fine
                    }
                }
                for (int i = 0; i < SLOWLORIS; i++) {
                    Socket s = open(port);
                    if (s != null) {
                        attack.add(s);
                    }
                }
                // The slowloris clients: a TLS ClientHello is too long to trickle; a partial one is what they send.
                for (int round = 0; round < 5; round++) {
                    for (Socket s : attack.subList(Math.max(0, attack.size() - SLOWLORIS), attack.size())) {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write("G".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        } catch (IOException e) {
                            // closed by the server: fine
                        }
                    }
                    assertThat(server.isAlive()).as("the server is up under the attack").isTrue();
                    assertThat(get(honest, jobs)).as("an honest client, round %d", round).isEqualTo(200);
                    Thread.sleep(1000);
                }
                assertThat(server.isAlive()).isTrue();
            } finally {
                for (Socket s : attack) {
                    s.close();
                }
            }
            assertThat(get(honest, jobs)).isEqualTo(200);
        }
    }

    private static Socket open(int port) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return s;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to close
            }
            return null;
        }
    }

    private static int get(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
