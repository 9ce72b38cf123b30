package io.perfbox.bench;

import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import io.perfbox.testing.net.StalledClient;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * 11. A server that survives its clients: one client (every socket bound to 127.0.0.2) opens 10,000 connections that
 * send a TLS record's first 3 bytes and stall, and 1,000 slowloris ones (handshake done, headers a byte at a time),
 * while 16 honest clients on 127.0.0.1 send {@code GET /jobs} over HTTPS in a closed loop. Reports the honest
 * clients' p99 latency (target < 100 ms) and the server's peak RSS against its heap cap (200 MiB, serve.jvm-options).
 */
final class StalledClientsBench {
    static final int STALLED_TLS = 10_000;
    static final int SLOWLORIS = 1_000;
    static final double TARGET_P99_MS = 100;
    /** The heap cap and what a JVM needs beside it (classes, threads, code, direct buffers): benchmark 6's budget. */
    static final double RSS_BUDGET_MIB = 300;

    private final Scanner trivy;
    private final Path root;

    StalledClientsBench(Path root, Scanner trivy) {
        this.root = root;
        this.trivy = trivy;
    }

    List<Outcome> run() throws Exception {
        Path data = Files.createTempDirectory("perfbox-bench-stalled");
        try {
            List<String> serve = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--data-dir",
                    data.resolve("server").toString(), "--tls-self-signed"));
            serve.addAll(trivy.serveOptions());
            try (ChildJvm server = ChildJvm.start("io.perfbox.runtime.local.cli.PerfboxCli", serve, ServeClasspath.of(root))) {
                SSLContext trust = Pem.trusting(data.resolve("server").resolve("tls").resolve(SelfSigned.CERT_FILE));
                URI jobs = URI.create(server.url + "/jobs");
                StalledClient attacker = new StalledClient("127.0.0.2", jobs.getPort());
                HttpClient https = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                HttpRequest get = HttpRequest.newBuilder(jobs).timeout(Duration.ofSeconds(30)).GET().build();
                ApiLoadBench.closedLoop(https, get, Duration.ofSeconds(2), ApiLoadBench.CLIENTS);

                AtomicBoolean attacking = new AtomicBoolean(true);
                List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
                AtomicLong errors = new AtomicLong();
                List<Thread> honest = new ArrayList<>();
                for (int c = 0; c < ApiLoadBench.CLIENTS; c++) {
                    honest.add(Thread.ofVirtual().start(() -> {
                        while (attacking.get()) {
                            long t = System.nanoTime();
                            try {
                                int status = https.send(get, HttpResponse.BodyHandlers.ofString()).statusCode();
                                if (status != 200) {
                                    errors.incrementAndGet();
                                }
                            } catch (Exception e) {
                                errors.incrementAndGet();
                            }
                            latencies.add((System.nanoTime() - t) / 1e6);
                        }
                    }));
                }
                long started = System.nanoTime();
                List<Socket> held = new ArrayList<>();
                int refused = 0;
                for (int i = 0; i < STALLED_TLS + SLOWLORIS; i++) {
                    boolean slow = i % 11 == 10; // the slowloris ones spread through the stalled ones
                    Socket s = slow ? slowloris(attacker, trust) : stalled(attacker);
                    if (s == null) {
                        refused++;
                    } else {
                        held.add(s);
                    }
                    if (i % 500 == 0) {
                        held.removeIf(StalledClient::dribbleOrDrop);
                    }
                }
                // Keep the slowloris ones dribbling for a few seconds more while the honest clients go on.
                for (int round = 0; round < 5; round++) {
                    held.removeIf(StalledClient::dribbleOrDrop);
                    Thread.sleep(1000);
                }
                attacking.set(false);
                for (Thread t : honest) {
                    t.join();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                held.forEach(StalledClient::closeQuietly);
                boolean alive = https.send(get, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                List<Double> sorted;
                synchronized (latencies) {
                    sorted = new ArrayList<>(latencies);
                }
                Collections.sort(sorted);
                double p50 = sorted.get(sorted.size() / 2);
                double p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
                double peak = server.rssMiB()[1];
                boolean met = alive && errors.get() == 0 && p99 < TARGET_P99_MS && peak <= RSS_BUDGET_MIB;
                System.out.printf("%n[11] stalled clients: %,d stalled TLS handshakes + %,d slowloris from 127.0.0.2 in %.1f s"
                        + " (%,d closed at once or refused, %d still held at the end), %d honest clients on 127.0.0.1%n",
                        STALLED_TLS, SLOWLORIS, seconds, refused, held.size(), ApiLoadBench.CLIENTS);
                System.out.printf("    honest GET /jobs over HTTPS: %,d requests, %d errors, p50 %.2f ms, p99 %.2f ms"
                        + " (target < %.0f ms); server peak RSS %.0f MiB (heap cap 200 MiB, budget %.0f MiB): %s%n",
                        sorted.size(), errors.get(), p50, p99, TARGET_P99_MS, peak, RSS_BUDGET_MIB, met ? "met" : "MISSED");
                return List.of(
                        new Outcome("11", "honest p99 under stalled clients", String.format("%.1f ms", p99), "-", "-",
                                String.format("< %.0f ms", TARGET_P99_MS), Outcome.Verdict.of(met && p99 < TARGET_P99_MS),
                                String.format("%,d + %,d attack connections; %d errors", STALLED_TLS, SLOWLORIS, errors.get())),
                        new Outcome("11", "peak RSS under stalled clients", String.format("%.0f MiB", peak), "-", "-",
                                String.format("≤ %.0f MiB", RSS_BUDGET_MIB), Outcome.Verdict.of(alive && peak <= RSS_BUDGET_MIB),
                                "heap cap 200 MiB"));
            }
        } finally {
            Bench.deleteTree(data);
        }
    }

    /** A TLS record's first three bytes, then nothing; null when the server closed it at once or the kernel refused. */
    private static Socket stalled(StalledClient attacker) {
        Socket s = attacker.stalledHandshake();
        if (s != null && StalledClient.closedByServer(s, 1)) {
            StalledClient.closeQuietly(s);
            return null;
        }
        return s;
    }

    /** The handshake done, a request line and the start of a header; null when refused or closed at once. */
    private static Socket slowloris(StalledClient attacker, SSLContext trust) {
        Socket s = attacker.slowloris(trust);
        return s == null || s.isClosed() ? null : s;
    }
}
