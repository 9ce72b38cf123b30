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

/**
 * 3. GET /jobs/{id} under load against a minimal JDK HTTP server answering a fixed body of the same size. Each
 * load phase is cut into windows that alternate between the two servers, so a busy moment of a shared machine
 * falls on both; throughput and p99 are given per window (min/median/max) and over all requests.
 */
final class ApiLoadBench {
    static final double TARGET_THROUGHPUT_RATIO = 0.60;
    static final double TARGET_P99_MS = 20;
    /** The p99 target at the paced rate while {@link #QUEUED} jobs wait and the workers run. */
    static final double TARGET_QUEUED_P99_MS = 50;
    static final int QUEUED = 60;
    static final int CLIENTS = 16;
    static final int PACED_RATE = 200;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PerfboxApi api;
    private final int seconds;
    private final int windows;
    /** Peak RSS of the baseline server after the load, and its RSS samples, in MiB, for benchmark 6. */
    double baselinePeakRssMiB = Double.NaN;
    List<Double> baselineRssSamples = List.of();

    ApiLoadBench(PerfboxApi api, int seconds, int windows) {
        this.api = api;
        this.seconds = seconds;
        this.windows = windows;
    }

    /** What one window measured: requests per second, every latency in ms, and failed requests. */
    record Window(double perSecond, List<Double> latenciesMs, long errors) {
    }

    List<Outcome> run() throws Exception {
        String id = api.submitAndWait(PerfboxApi.dockerfileWithPerf("0.99"));
        try (ChildJvm baseline = ChildJvm.start("io.perfbox.bench.FixedResponseServer", List.of())) {
            URI job = URI.create(api.baseUrl + "/jobs/" + id);
            URI fixed = URI.create(baseline.url + "/jobs/" + id);
            Duration window = Duration.ofMillis(Math.max(500, seconds * 1000L / windows));
            closedLoop(job, Duration.ofSeconds(2), CLIENTS);
            closedLoop(fixed, Duration.ofSeconds(2), CLIENTS);
            List<Window> p = new ArrayList<>();
            List<Window> b = new ArrayList<>();
            for (int i = 0; i < windows; i++) {
                p.add(closedLoop(job, window, CLIENTS));
                b.add(closedLoop(fixed, window, CLIENTS));
            }
            List<Window> paced = new ArrayList<>();
            List<Window> pacedBase = new ArrayList<>();
            for (int i = 0; i < windows; i++) {
                paced.add(openLoop(job, PACED_RATE, window));
                pacedBase.add(openLoop(fixed, PACED_RATE, window));
            }
            baselinePeakRssMiB = baseline.rssMiB()[1];
            baselineRssSamples = baseline.rssSamples();
            List<Window> pacedQueued = underAQueue(job, window);

            Stats pRate = Stats.of(p.stream().map(Window::perSecond).toList());
            Stats bRate = Stats.of(b.stream().map(Window::perSecond).toList());
            double ratio = pRate.median() / bRate.median();
            Stats pacedAll = all(paced);
            Stats pacedBaseAll = all(pacedBase);
            long errors = paced.stream().mapToLong(Window::errors).sum();
            long loadErrors = p.stream().mapToLong(Window::errors).sum();
            boolean throughputMet = ratio >= TARGET_THROUGHPUT_RATIO && loadErrors == 0;
            boolean latencyMet = pacedAll.percentile(99) < TARGET_P99_MS && errors == 0;
            System.out.printf("%n[3] API load: GET /jobs/{id}; each phase %d windows of %.1f s alternating between the two "
                    + "servers, after 2 s warm-up each%n", windows, window.toMillis() / 1000.0);
            System.out.printf("    %d concurrent clients, perfbox serve: %s; over all requests p50 %.2f ms, p99 %.2f ms, "
                    + "%d errors%n", CLIENTS, pRate.minMedMax("req/s", 0), all(p).percentile(50), all(p).percentile(99),
                    loadErrors);
            System.out.printf("    %d concurrent clients, baseline (fixed response, JDK HttpServer): %s; p50 %.2f ms, p99 %.2f ms%n",
                    CLIENTS, bRate.minMedMax("req/s", 0), all(b).percentile(50), all(b).percentile(99));
            System.out.printf("    throughput ratio of medians: %.2f (target ≥ %.2f): %s%n", ratio, TARGET_THROUGHPUT_RATIO,
                    throughputMet ? "met" : "MISSED");
            System.out.printf("    at a steady %d req/s, perfbox serve: p99 per window %s; over all requests p50 %.2f ms, "
                    + "p99 %.2f ms, %d errors%n", PACED_RATE, p99s(paced).minMedMax("ms", 2), pacedAll.percentile(50),
                    pacedAll.percentile(99), errors);
            System.out.printf("    at a steady %d req/s, baseline: p99 per window %s; over all requests p50 %.2f ms, p99 %.2f ms%n",
                    PACED_RATE, p99s(pacedBase).minMedMax("ms", 2), pacedBaseAll.percentile(50), pacedBaseAll.percentile(99));
            System.out.printf("    perfbox p99 over all paced requests %.2f ms (target < %.0f ms, no errors): %s%n",
                    pacedAll.percentile(99), TARGET_P99_MS, latencyMet ? "met" : "MISSED");
            return List.of(
                    new Outcome("3", "API GET /jobs/{id}, 16 clients", String.format("%.0f req/s", pRate.median()),
                            String.format("%.0f req/s fixed", bRate.median()), String.format("%.2f", ratio),
                            String.format("≥ %.2f", TARGET_THROUGHPUT_RATIO), Outcome.Verdict.of(throughputMet),
                            loadErrors == 0 ? "" : loadErrors + " errors"),
                    new Outcome("3", "API p99 at 200 req/s", String.format("%.2f ms", pacedAll.percentile(99)),
                            String.format("%.2f ms fixed", pacedBaseAll.percentile(99)),
                            String.format("%.2f", pacedAll.percentile(99) / pacedBaseAll.percentile(99)),
                            String.format("< %.0f ms", TARGET_P99_MS), Outcome.Verdict.of(latencyMet),
                            errors == 0 ? "" : errors + " errors"),
                    queuedOutcome(pacedQueued, pacedAll));
        }
    }

    /**
     * The paced GETs again while {@link #QUEUED} jobs are in the server: each sleeps once it runs, so the workers stay
     * busy (builds, containers) and the rest wait QUEUED, as on a server with a backlog. Cancels them all after.
     */
    private List<Window> underAQueue(URI job, Duration window) throws Exception {
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < QUEUED; i++) {
                ids.add(api.submit("FROM debian:bookworm\nCMD sleep 600\n"));
            }
            api.awaitStatus(ids.get(0), "RUNNING");
            List<Window> paced = new ArrayList<>();
            for (int i = 0; i < windows; i++) {
                paced.add(openLoop(job, PACED_RATE, window));
            }
            long queued = 0;
            for (var j : api.newest(100).get("jobs")) {
                queued += ids.contains(j.get("id").asText()) && j.get("status").asText().equals("QUEUED") ? 1 : 0;
            }
            System.out.printf("    while %d jobs were in the server (%d still QUEUED at the end), at a steady %d req/s: "
                    + "p99 per window %s; over all requests p50 %.2f ms, p99 %.2f ms (target < %.0f ms)%n", QUEUED, queued,
                    PACED_RATE, p99s(paced).minMedMax("ms", 2), all(paced).percentile(50), all(paced).percentile(99),
                    TARGET_QUEUED_P99_MS);
            return paced;
        } finally {
            for (String id : ids) {
                api.cancel(id);
            }
            for (String id : ids) {
                api.awaitEnd(id);
            }
        }
    }

    private static Outcome queuedOutcome(List<Window> paced, Stats idle) {
        Stats s = all(paced);
        long errors = paced.stream().mapToLong(Window::errors).sum();
        boolean met = s.percentile(99) < TARGET_QUEUED_P99_MS && errors == 0;
        return new Outcome("3", "API p99 at 200 req/s, " + QUEUED + " jobs queued", String.format("%.2f ms", s.percentile(99)),
                String.format("%.2f ms, no queue", idle.percentile(99)),
                String.format("%.2f", s.percentile(99) / idle.percentile(99)), String.format("< %.0f ms", TARGET_QUEUED_P99_MS),
                Outcome.Verdict.of(met), errors == 0 ? "" : errors + " errors");
    }

    private static Stats all(List<Window> windows) {
        List<Double> latencies = new ArrayList<>();
        windows.forEach(w -> latencies.addAll(w.latenciesMs()));
        return Stats.of(latencies);
    }

    private static Stats p99s(List<Window> windows) {
        return Stats.of(windows.stream().map(w -> Stats.of(w.latenciesMs()).percentile(99)).toList());
    }

    /** Clients each send the next request when the last is answered. */
    Window closedLoop(URI uri, Duration d, int clients) throws InterruptedException {
        return closedLoop(http, HttpRequest.newBuilder(uri).build(), d, clients);
    }

    /** As above, with this client (e.g. one trusting a test certificate) and this request (e.g. with a key). */
    static Window closedLoop(HttpClient http, HttpRequest req, Duration d, int clients) throws InterruptedException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                        if (stop.get()) {
                            return; // answered after the window closed: not counted
                        }
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        done.incrementAndGet();
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
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
        return new Window(done.get() / elapsed, List.copyOf(latencies), errors.get());
    }

    /** Requests at a fixed rate whatever the answers take (no coordinated omission). */
    private Window openLoop(URI uri, int perSecond, Duration d) throws InterruptedException {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        HttpRequest req = HttpRequest.newBuilder(uri).build();
        long interval = 1_000_000_000L / perSecond;
        long start = System.nanoTime();
        long total = perSecond * d.toMillis() / 1000;
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
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Window(total / elapsed, List.copyOf(latencies), errors.get());
    }
}
