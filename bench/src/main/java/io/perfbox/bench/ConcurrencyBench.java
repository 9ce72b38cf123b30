package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * 2. Eight jobs submitted at once through the HTTP API, against the same eight jobs' work done by hand in the same
 * run, W at a time (W = the server's --workers: the concurrency perfbox allows itself), each by-hand job with the
 * builder, scanner and isolation of benchmark 1's baseline. So the ratio is what perfbox's queue, workers and
 * bookkeeping cost over the same work at the same concurrency; one job alone × ceil(8 / W) waves is printed beside it,
 * as the bound the cores would give if concurrent jobs did not slow each other. Every job carries its own perf
 * value, and each must come back SUCCEEDED with exactly that value: a lost or mixed-up job fails the benchmark
 * whatever the times.
 */
final class ConcurrencyBench {
    static final int BATCH = 8;
    /** Same tolerance over the ideal as benchmark 1 allows over the work done by hand. */
    static final double TOLERANCE = 1.15;
    private static final Duration POLL = Duration.ofMillis(50);

    private final PerfboxApi api;
    private final Scanner trivy;
    private final int workers;
    private final int runs;
    private int perfSequence;

    ConcurrencyBench(PerfboxApi api, Scanner trivy, int workers, int runs) {
        this.api = api;
        this.trivy = trivy;
        this.workers = workers;
        this.runs = runs;
    }

    /** The eight jobs' work by hand, {@code workers} at a time, each job with its own image; seconds for all. */
    private double byHandBatch(List<ByHand> hands, List<String> perfs, ExecutorService pool) throws Exception {
        long start = System.nanoTime();
        List<Future<double[]>> done = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            ByHand hand = hands.get(i);
            String perf = perfs.get(i);
            done.add(pool.submit(() -> hand.pipeline(PerfboxApi.dockerfileWithPerf(perf), Double.parseDouble(perf))));
        }
        for (Future<double[]> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a by-hand job failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** A perf value no other job of this benchmark has (0.001, 0.002, ...). */
    private String nextPerf() {
        perfSequence++;
        return String.format("%.3f", perfSequence / 1000.0);
    }

    Outcome run() throws Exception {
        api.submitAndWait(PerfboxApi.dockerfileWithPerf("0.99"));
        List<Double> singles = new ArrayList<>();
        List<Double> batches = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> singleServer = new ArrayList<>();
        List<Double> batchServer = new ArrayList<>();
        List<Double> queueWaits = new ArrayList<>();
        List<Double> activeSingle = new ArrayList<>();
        List<Double> activeBatch = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        List<ByHand> hands = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            hands.add(new ByHand(trivy, "perfbox-bench-concurrency-" + i));
        }
        ExecutorService byHandPool = Executors.newFixedThreadPool(workers);
        try (ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor()) {
            // One by-hand batch first, as perfbox's warm-up job above: the by-hand images' build cache starts warm too.
            List<String> warm = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                warm.add(nextPerf());
            }
            byHandBatch(hands, warm, byHandPool);
            for (int r = 0; r < runs; r++) {
                Map<String, String> single = new LinkedHashMap<>();
                long t0 = System.nanoTime();
                String perf1 = nextPerf();
                single.put(api.submit(PerfboxApi.dockerfileWithPerf(perf1)), perf1);
                Map<String, JsonNode> one = waitForAll(single.keySet());
                double t1 = (System.nanoTime() - t0) / 1e9;

                Map<String, String> batch = new HashMap<>();
                List<String> perfs = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    perfs.add(nextPerf());
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> ids = new ArrayList<>();
                for (String perf : perfs) {
                    ids.add(submitters.submit(() -> {
                        go.await();
                        return api.submit(PerfboxApi.dockerfileWithPerf(perf));
                    }));
                }
                long t8start = System.nanoTime();
                go.countDown();
                for (int i = 0; i < BATCH; i++) {
                    batch.put(get(ids.get(i)), perfs.get(i));
                }
                Map<String, JsonNode> eight = waitForAll(batch.keySet());
                double t8 = (System.nanoTime() - t8start) / 1e9;

                checked += verify(single, problems) + verify(batch, problems);
                List<String> handPerfs = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    handPerfs.add(nextPerf());
                }
                byHand.add(byHandBatch(hands, handPerfs, byHandPool));
                singles.add(t1);
                batches.add(t8);
                ratios.add(t8 / t1);
                singleServer.add(span(one.values()));
                batchServer.add(span(eight.values()));
                for (JsonNode job : eight.values()) {
                    addSpan(queueWaits, job, "queuedAt", "buildStartedAt");
                    addSpan(activeBatch, job, "buildStartedAt", "finishedAt");
                }
                for (JsonNode job : one.values()) {
                    addSpan(activeSingle, job, "buildStartedAt", "finishedAt");
                }
            }
        } finally {
            byHandPool.shutdownNow();
            for (ByHand hand : hands) {
                hand.removeImage();
            }
        }
        Stats s1 = Stats.of(singles);
        Stats s8 = Stats.of(batches);
        Stats hand8 = Stats.of(byHand);
        Stats ratio = Stats.of(ratios);
        int waves = (BATCH + workers - 1) / workers;
        double bound = s1.median() * waves;
        double ofByHand = s8.median() / hand8.median();
        boolean met = ofByHand <= TOLERANCE;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("%n[2] concurrency: %d jobs submitted at once vs the same %d jobs by hand %d at a time, %d runs "
                + "after one warm-up each; server --workers %d on %d cores%n", BATCH, BATCH, workers, runs, workers, cores);
        System.out.println("    " + BATCH + " jobs through perfbox, first submit → last SUCCEEDED: " + s8.minMedMax("s"));
        System.out.println("    " + BATCH + " jobs by hand, " + workers + " at a time (build, scan, run, read perf.json): "
                + hand8.minMedMax("s"));
        System.out.printf("    perfbox / by hand: %.2f (target ≤ %.2f): %s%n", ofByHand, TOLERANCE, met ? "met" : "MISSED");
        System.out.println("    1 job through perfbox, submit → SUCCEEDED (poll every " + POLL.toMillis() + " ms): "
                + s1.minMedMax("s") + "; 8 vs 1 per run: " + ratio.minMedMax("×", 2));
        System.out.printf("    the bound were concurrent jobs not to slow each other: ceil(%d/%d) = %d waves × one job = "
                        + "%.3f s; perfbox's 8 took %.2f of it, by hand's %.2f%n", BATCH, workers, waves, bound,
                s8.median() / bound, hand8.median() / bound);
        if (problems.isEmpty()) {
            System.out.println("    server-side, first queuedAt → last finishedAt: 1 job " + Stats.of(singleServer).minMedMax("s")
                    + "; 8 jobs " + Stats.of(batchServer).minMedMax("s"));
            System.out.println("    per job, build start → finished: alone " + Stats.of(activeSingle).minMedMax("s")
                    + "; among 8 " + Stats.of(activeBatch).minMedMax("s") + " (the difference is what sharing the cores costs)");
            System.out.println("    per job of the 8, waiting QUEUED for a worker: " + Stats.of(queueWaits).minMedMax("s"));
        }
        System.out.printf("    jobs checked: %d, each SUCCEEDED with its own perf value: %s%n", checked,
                problems.isEmpty() ? "yes, none lost" : "NO: " + String.join("; ", problems));
        String baseline = String.format("%.3f s, the 8 by hand %d at a time", hand8.median(), workers);
        if (!problems.isEmpty()) {
            return new Outcome("2", "concurrency: 8 jobs at once", String.format("%.3f s", s8.median()), baseline,
                    String.format("%.2f", ofByHand), String.format("≤ %.2f", TOLERANCE), Outcome.Verdict.FAILED,
                    problems.size() + " job(s) lost or wrong");
        }
        return new Outcome("2", "concurrency: 8 jobs at once", String.format("%.3f s (8 jobs)", s8.median()), baseline,
                String.format("%.2f", ofByHand), String.format("≤ %.2f", TOLERANCE), Outcome.Verdict.of(met),
                String.format("%.2f of the %d-wave bound; none lost", s8.median() / bound, waves));
    }

    private static String get(Future<String> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a submit failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Polls the newest jobs with one list request per round (cheaper for the server than a GET per job, so the
     * polling itself hardly competes with the pipelines) until every given job has ended.
     */
    private Map<String, JsonNode> waitForAll(Collection<String> ids) throws Exception {
        Map<String, JsonNode> ended = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (ended.size() < ids.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("jobs not finished after 10 minutes: " + ids);
            }
            JsonNode page = api.newest(Math.max(20, 2 * ids.size()));
            for (JsonNode job : page.get("jobs")) {
                String id = job.get("id").asText();
                if (ids.contains(id) && PerfboxApi.isTerminal(job.get("status").asText())) {
                    ended.put(id, job);
                }
            }
            if (ended.size() < ids.size()) {
                Thread.sleep(POLL.toMillis());
            }
        }
        return ended;
    }

    /** Reads each job on its own (GET /jobs/{id}) and checks status and perf; returns how many were checked. */
    private int verify(Map<String, String> expectedPerf, List<String> problems) throws Exception {
        for (Map.Entry<String, String> e : expectedPerf.entrySet()) {
            JsonNode job = api.job(e.getKey());
            String status = job.get("status").asText();
            double expected = Double.parseDouble(e.getValue());
            if (!status.equals("SUCCEEDED")) {
                problems.add(e.getKey() + " ended " + status + " " + job.path("failure"));
            } else if (!job.get("performance").isNumber() || job.get("performance").asDouble() != expected) {
                problems.add(e.getKey() + " has performance " + job.get("performance") + ", expected " + expected);
            }
        }
        return expectedPerf.size();
    }

    /** The time between two stages of a job, when it reached both (a failed job may not have). */
    private static void addSpan(List<Double> to, JsonNode job, String from, String until) {
        Instant a = PerfboxApi.stage(job, from);
        Instant b = PerfboxApi.stage(job, until);
        if (a != null && b != null) {
            to.add(seconds(a, b));
        }
    }

    private static double span(Collection<JsonNode> jobs) {
        Instant first = null;
        Instant last = null;
        for (JsonNode job : jobs) {
            Instant q = PerfboxApi.stage(job, "queuedAt");
            Instant f = PerfboxApi.stage(job, "finishedAt");
            if (q != null) {
                first = first == null || q.isBefore(first) ? q : first;
            }
            if (f != null) {
                last = last == null || f.isAfter(last) ? f : last;
            }
        }
        return seconds(first, last);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
