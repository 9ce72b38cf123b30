package io.perfbox.bench;

import io.perfbox.runtime.local.tls.Pem;
import io.perfbox.runtime.local.tls.SelfSigned;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

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
    private static final InetAddress ATTACKER = address("127.0.0.2");

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
                int port = jobs.getPort();
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
                    Socket s = slow ? slowloris(trust, port) : stalled(port);
                    if (s == null) {
                        refused++;
                    } else {
                        held.add(s);
                    }
                    if (i % 500 == 0) {
                        held.removeIf(StalledClientsBench::dribbleOrDrop);
                    }
                }
                // Keep the slowloris ones dribbling for a few seconds more while the honest clients go on.
                for (int round = 0; round < 5; round++) {
                    held.removeIf(StalledClientsBench::dribbleOrDrop);
                    Thread.sleep(1000);
                }
                attacking.set(false);
                for (Thread t : honest) {
                    t.join();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                held.forEach(StalledClientsBench::closeQuietly);
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
    private static Socket stalled(int port) {
        Socket s = connect(port);
        if (s == null) {
            return null;
        }
        try {
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
            return closedByServer(s) ? drop(s) : s;
        } catch (IOException e) {
            return drop(s);
        }
    }

    /** The handshake done, a request line and the start of a header; null when refused. */
    private static Socket slowloris(SSLContext trust, int port) {
        Socket plain = connect(port);
        if (plain == null) {
            return null;
        }
        try {
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            tls.setSoTimeout(2000);
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            out.write(("GET /jobs HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return tls;
        } catch (IOException e) {
            return drop(plain);
        }
    }

    /** True (and closed here) when the server has closed it; else one more byte of a header sent. */
    private static boolean dribbleOrDrop(Socket s) {
        if (closedByServer(s)) {
            closeQuietly(s);
            return true;
        }
        try {
            s.getOutputStream().write('X');
            s.getOutputStream().flush();
            return false;
        } catch (IOException e) {
            closeQuietly(s);
            return true;
        }
    }

    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(1);
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static Socket connect(int port) {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(ATTACKER, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return s;
        } catch (IOException e) {
            return drop(s);
        }
    }

    private static Socket drop(Socket s) {
        closeQuietly(s);
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
