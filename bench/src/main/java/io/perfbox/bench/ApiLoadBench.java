package io.perfbox.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** 3. GET /jobs/{id} under load against a minimal JDK HTTP server answering a fixed body of the same size. */
final class ApiLoadBench {
    static final double TARGET_THROUGHPUT_RATIO = 0.50;
    static final double TARGET_P99_MS = 20;
    static final int CLIENTS = 16;
    static final int PACED_RATE = 200;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PerfboxApi api;
    private final int seconds;
    /** Peak RSS of the baseline server after the load, in MiB, for benchmark 6. */
    double baselinePeakRssMiB = Double.NaN;

    ApiLoadBench(PerfboxApi api, int seconds) {
        this.api = api;
        this.seconds = seconds;
    }

    List<Outcome> run() throws Exception {
        String id = api.submitAndWait(PerfboxApi.dockerfileWithPerf("0.99"));
        try (ChildJvm baseline = ChildJvm.start("io.perfbox.bench.FixedResponseServer", List.of())) {
            URI job = URI.create(api.baseUrl + "/jobs/" + id);
            URI fixed = URI.create(baseline.url + "/jobs/" + id);
            closedLoop(job, Duration.ofSeconds(2), CLIENTS);
            closedLoop(fixed, Duration.ofSeconds(2), CLIENTS);
            double[] p = closedLoop(job, Duration.ofSeconds(seconds), CLIENTS);
            double[] b = closedLoop(fixed, Duration.ofSeconds(seconds), CLIENTS);
            baselinePeakRssMiB = baseline.rssMiB()[1];
            double[] paced = openLoop(job, PACED_RATE, Duration.ofSeconds(seconds));
            double[] pacedBase = openLoop(fixed, PACED_RATE, Duration.ofSeconds(seconds));
            double ratio = p[0] / b[0];
            boolean throughputMet = ratio >= TARGET_THROUGHPUT_RATIO;
            boolean latencyMet = paced[1] < TARGET_P99_MS && paced[2] == 0;
            System.out.printf("%n[3] API load: GET /jobs/{id}, %d concurrent clients for %d s (after 2 s warm-up each)%n",
                    CLIENTS, seconds);
            System.out.printf("    perfbox serve: %.0f req/s (p50 %.2f ms, p99 %.2f ms)%n", p[0], p[1], p[2]);
            System.out.printf("    baseline, fixed response from a JDK HttpServer: %.0f req/s (p50 %.2f ms, p99 %.2f ms)%n",
                    b[0], b[1], b[2]);
            System.out.printf("    throughput ratio: %.2f (target ≥ %.2f): %s%n", ratio, TARGET_THROUGHPUT_RATIO,
                    throughputMet ? "met" : "MISSED");
            System.out.printf("    at a steady %d req/s for %d s: perfbox p50 %.2f ms, p99 %.2f ms, %.0f errors; baseline p50 "
                            + "%.2f ms, p99 %.2f ms (target perfbox p99 < %.0f ms, no errors): %s%n",
                    PACED_RATE, seconds, paced[0], paced[1], paced[2], pacedBase[0], pacedBase[1], TARGET_P99_MS,
                    latencyMet ? "met" : "MISSED");
            return List.of(
                    new Outcome("3", "API GET /jobs/{id}, 16 clients", String.format("%.0f req/s", p[0]),
                            String.format("%.0f req/s fixed", b[0]), String.format("%.2f", ratio),
                            String.format("≥ %.2f", TARGET_THROUGHPUT_RATIO), Outcome.Verdict.of(throughputMet), ""),
                    new Outcome("3", "API p99 at 200 req/s", String.format("%.2f ms", paced[1]),
                            String.format("%.2f ms fixed", pacedBase[1]), String.format("%.2f", paced[1] / pacedBase[1]),
                            String.format("< %.0f ms", TARGET_P99_MS), Outcome.Verdict.of(latencyMet),
                            paced[2] == 0 ? "" : String.format("%.0f errors", paced[2])));
        }
    }

    /** Clients each send the next request when the last is answered; returns {req/s, p50 ms, p99 ms}. */
    double[] closedLoop(URI uri, Duration d, int clients) throws InterruptedException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(uri).build();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        http.send(req, HttpResponse.BodyHandlers.discarding());
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        done.incrementAndGet();
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(d.toMillis());
        stop.set(true);
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Thread t : threads) {
            t.join(10_000);
        }
        Stats s = Stats.of(latencies);
        return new double[] {done.get() / elapsed, s.percentile(50), s.percentile(99)};
    }

    /** Requests at a fixed rate whatever the answers take (no coordinated omission); returns {p50, p99, errors}. */
    private double[] openLoop(URI uri, int perSecond, Duration d) throws InterruptedException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        HttpRequest req = HttpRequest.newBuilder(uri).build();
        long interval = 1_000_000_000L / perSecond;
        long start = System.nanoTime();
        long total = perSecond * d.toSeconds();
        List<Thread> threads = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                    latencies.add((System.nanoTime() - due) / 1e6);
                    if (r.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                } catch (IOException | InterruptedException e) {
                    errors.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        Stats s = Stats.of(latencies);
        return new double[] {s.percentile(50), s.percentile(99), errors.get()};
    }
}
