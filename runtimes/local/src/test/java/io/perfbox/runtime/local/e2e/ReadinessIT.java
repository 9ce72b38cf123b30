package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /readyz} of a real {@code perfbox serve} whose dependencies go down for real and come back: its Docker
 * engine is reached through a socket this test relays to the real engine (the docker CLI it is given points
 * DOCKER_HOST there), and the relay is shut (a Docker host pointed at a dead socket); its Trivy is a link to the real
 * one, removed. Each time 503 names the one that is down, and 200 comes back with it; /healthz answers throughout.
 */
@RequiresDocker
class ReadinessIT {

    /** Relays every connection on {@code listen} to the engine's socket; closing it kills the socket and them all. */
    static final class SocketRelay implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path listen;
        private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

        SocketRelay(Path listen, Path engine) throws IOException {
            this.listen = listen;
            Files.deleteIfExists(listen);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(listen));
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel client = server.accept();
                        SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(engine));
                        open.add(client);
                        open.add(upstream);
                        Thread.ofVirtual().start(() -> pump(client, upstream));
                        Thread.ofVirtual().start(() -> pump(upstream, client));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void pump(SocketChannel from, SocketChannel to) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // the relay was shut, or a side went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel c : open) {
                c.close();
            }
            Files.deleteIfExists(listen);
        }
    }

    private static Path engineSocket() throws Exception {
        Process p = new ProcessBuilder("docker", "context", "inspect", "--format", "{{.Endpoints.docker.Host}}")
                .redirectErrorStream(true).start();
        String host = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(host).as("the engine is on a unix socket").startsWith("unix://");
        return Path.of(host.substring("unix://".length()));
    }

    /** Polls /readyz until it answers {@code status} (the checks' answers stand 2 s), and returns its body. */
    private static JsonNode awaitReadyz(Http http, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Http.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = http.get("/readyz");
            if (last.status() == status) {
                return last.json();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("/readyz did not answer " + status + "; last: " + (last == null ? null : last.status()
                + " " + last.body()));
    }

    @Test
    void readyzNamesTheEngineAndTheScannerWhenEachGoesDownAndIsReadyAgainWhenTheyAreBack() throws Exception {
        Path root = Files.createDirectories(Path.of("target", "e2e", "readiness-" + UUID.randomUUID()).toAbsolutePath());
        // Unix socket paths are short (108 bytes): the relay's lives in a short temporary directory.
        Path sockets = Files.createTempDirectory(Path.of("/tmp"), "pbr");
        Path relaySocket = sockets.resolve("engine.sock");
        Path engine = engineSocket();
        Path docker = root.resolve("docker-via-relay");
        Files.writeString(docker, "#!/bin/sh\nDOCKER_HOST=unix://" + relaySocket + " exec docker \"$@\"\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwx------"));
        Path trivy = root.resolve("trivy");
        Files.createSymbolicLink(trivy, RealTrivy.executable());

        SocketRelay relay = new SocketRelay(relaySocket, engine);
        try (PerfboxProcess server = PerfboxProcess.start(root.resolve("data"), "--docker", docker.toString(),
                "--builder", "classic", "--no-build-isolation", "--trivy", trivy.toString(),
                "--trivy-cache-dir", RealTrivy.cacheDir().toString(), "--trivy-skip-db-update", "--trivy-offline-scan",
                "--no-trivy-image-fallback")) {
            Http http = new Http(server.baseUrl());
            JsonNode up = awaitReadyz(http, 200);
            assertThat(up.path("status").asText()).isEqualTo("ready");
            assertThat(up.path("checks").toString()).isEqualTo("{\"store\":\"up\",\"engine\":\"up\",\"scanner\":\"up\"}");
            assertThat(Files.readString(root.resolve("data-server.log"))).contains("the Engine API at unix://" + relaySocket);

            // The engine's socket dies.
            relay.close();
            JsonNode engineDown = awaitReadyz(http, 503);
            assertThat(engineDown.path("status").asText()).isEqualTo("not ready");
            assertThat(engineDown.path("checks").path("engine").asText()).isEqualTo("down");
            assertThat(engineDown.path("checks").path("store").asText()).isEqualTo("up");
            assertThat(engineDown.path("checks").path("scanner").asText()).isEqualTo("up");
            assertThat(engineDown.path("down").toString()).isEqualTo("[\"engine\"]");
            assertThat(engineDown.toString()).doesNotContain(relaySocket.toString()).doesNotContain("refused");
            assertThat(http.get("/healthz").status()).isEqualTo(200);

            // It answers again.
            relay = new SocketRelay(relaySocket, engine);
            awaitReadyz(http, 200);

            // The scanner goes away.
            Files.delete(trivy);
            JsonNode scannerDown = awaitReadyz(http, 503);
            assertThat(scannerDown.path("down").toString()).isEqualTo("[\"scanner\"]");
            assertThat(scannerDown.toString()).doesNotContain(trivy.toString());
            Files.createSymbolicLink(trivy, RealTrivy.executable());
            awaitReadyz(http, 200);
        } finally {
            relay.close();
            Files.deleteIfExists(sockets);
        }
    }
}
