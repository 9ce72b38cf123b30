package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./perfbox bench [--trivy PATH] [--runs N] [--seconds S]}: perfbox against baselines measured in the
 * same run, printed as figures and ratios.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String trivy;
    private final int runs;
    private final int seconds;

    private Bench(String trivy, int runs, int seconds) {
        this.trivy = trivy;
        this.runs = runs;
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        String trivy = "trivy";
        int runs = 5;
        int seconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--trivy" -> trivy = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new Bench(trivy, runs, seconds).run();
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("perfbox bench: %d CPUs, %d MiB max heap of the bench JVM, Java %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, Runtime.version());
        Path data = Files.createTempDirectory("perfbox-bench-data");
        try (ChildJvm server = ChildJvm.start("io.perfbox.local.cli.PerfboxCli",
                List.of("serve", "--port", "0", "--data-dir", data.toString(), "--trivy", trivy, "--workers", "2"))) {
            Thread.sleep(2000);
            double idleRss = server.rssMiB()[0];
            pipelineOverhead(server.url);
            String id = submitAndWait(server.url);
            apiLoad(server.url, id);
            double[] rss = server.rssMiB();
            System.out.printf("%n[6] memory of perfbox serve: idle RSS %.0f MiB; peak RSS (after the API load) %.0f MiB%n",
                    idleRss, rss[1]);
        }
    }

    // --- 1. pipeline overhead ---

    private void pipelineOverhead(String url) throws Exception {
        submitAndWait(url);
        manual();
        List<Double> perfbox = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            submitAndWait(url);
            perfbox.add((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            manual();
            byHand.add((System.nanoTime() - t0) / 1e9);
        }
        Stats p = Stats.of(perfbox);
        Stats m = Stats.of(byHand);
        System.out.printf("%n[1] pipeline, submit → SUCCEEDED (%d runs, warm cache)%n", runs);
        System.out.println("    perfbox over HTTP: " + p.minMedMax("s"));
        System.out.println("    by hand (build, scan, run, read): " + m.minMedMax("s"));
        System.out.printf("    ratio of medians: %.2f (target ≤ 1.15)%n", p.median() / m.median());
    }

    private String submitAndWait(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/jobs"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(DOCKERFILE)).build(),
                HttpResponse.BodyHandlers.ofString());
        String id = JSON.readTree(r.body()).get("id").asText();
        while (true) {
            JsonNode job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/jobs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String status = job.get("status").asText();
            if (status.equals("SUCCEEDED")) {
                return id;
            }
            if (status.equals("FAILED") || status.equals("CANCELLED")) {
                throw new IllegalStateException("benchmark job ended " + job);
            }
            Thread.sleep(20);
        }
    }

    /** The same work done the way a shell script would: build, scan, run isolated, read the result. */
    private void manual() throws Exception {
        Path dir = Files.createTempDirectory("perfbox-bench-manual");
        String tag = "perfbox-bench-manual:latest";
        exec(DOCKERFILE.getBytes(StandardCharsets.UTF_8), "docker", "build", "-q", "-t", tag, "-");
        exec(null, trivy, "image", "--format", "json", "--quiet", "--scanners", "vuln", tag);
        exec(null, "docker", "run", "--rm", "--network", "none", "-v", dir + ":/data", tag);
        JsonNode perf = JSON.readTree(Files.readString(dir.resolve("perf.json")));
        if (perf.get("perf").asDouble() != 0.99) {
            throw new IllegalStateException("unexpected result " + perf);
        }
        Files.delete(dir.resolve("perf.json"));
        Files.delete(dir);
    }

    private static void exec(byte[] stdin, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DOCKER_BUILDKIT", "0");
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
        } else {
            p.getOutputStream().close();
        }
        p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }

    // --- 3. API load ---

    private void apiLoad(String url, String id) throws Exception {
        try (ChildJvm baseline = ChildJvm.start("io.perfbox.bench.FixedResponseServer", List.of())) {
            URI job = URI.create(url + "/jobs/" + id);
            URI fixed = URI.create(baseline.url + "/jobs/" + id);
            closedLoop(job, Duration.ofSeconds(2), 16);
            closedLoop(fixed, Duration.ofSeconds(2), 16);
            double[] p = closedLoop(job, Duration.ofSeconds(seconds), 16);
            double[] b = closedLoop(fixed, Duration.ofSeconds(seconds), 16);
            System.out.printf("%n[3] API, 16 concurrent clients for %d s%n", seconds);
            System.out.printf("    GET /jobs/{id} on perfbox: %.0f req/s (p50 %.2f ms, p99 %.2f ms)%n", p[0], p[1], p[2]);
            System.out.printf("    fixed response, JDK HttpServer: %.0f req/s (p50 %.2f ms, p99 %.2f ms)%n", b[0], b[1], b[2]);
            System.out.printf("    throughput ratio: %.2f (target ≥ 0.50)%n", p[0] / b[0]);
            double[] paced = openLoop(job, 200, Duration.ofSeconds(seconds));
            System.out.printf("    GET at a steady 200 req/s: p50 %.2f ms, p99 %.2f ms (target p99 < 20 ms), %.0f errors%n",
                    paced[0], paced[1], paced[2]);
        }
    }

    /** Clients each send the next request when the last is answered; returns {req/s, p50 ms, p99 ms}. */
    private double[] closedLoop(URI uri, Duration d, int clients) throws InterruptedException {
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
