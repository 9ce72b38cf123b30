package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** 1. One job from submit to SUCCEEDED over HTTP against the same build, scan, run and read done by hand. */
final class PipelineOverheadBench {
    static final double TARGET = 1.10;
    private static final String DOCKERFILE = PerfboxApi.dockerfileWithPerf("0.99");

    private final PerfboxApi api;
    private final Scanner trivy;
    private final int runs;
    private final ByHand byHand;

    PipelineOverheadBench(PerfboxApi api, Scanner trivy, int runs) {
        this.api = api;
        this.trivy = trivy;
        this.runs = runs;
        try {
            this.byHand = new ByHand(trivy, MANUAL_TAG);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final String MANUAL_TAG = "perfbox-bench-manual:latest";

    Outcome run() throws Exception {
        try {
            return measure();
        } finally {
            // The by-hand loop keeps its image between runs (that is its build cache); not after the benchmark.
            byHand.removeImage();
        }
    }

    private Outcome measure() throws Exception {
        api.submitAndWait(DOCKERFILE);
        manual(new double[3]);
        List<Double> perfbox = new ArrayList<>();
        List<Double> byHand = new ArrayList<>();
        String[] stages = {"queued → build start", "build", "scan", "run, read result, clean up", "seen by the client after"};
        List<List<Double>> perfboxStages = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>());
        List<List<Double>> handSteps = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            String id = api.submitAndWait(DOCKERFILE);
            double total = (System.nanoTime() - t0) / 1e9;
            perfbox.add(total);
            JsonNode job = api.job(id);
            Instant queued = PerfboxApi.stage(job, "queuedAt");
            Instant build = PerfboxApi.stage(job, "buildStartedAt");
            Instant scan = PerfboxApi.stage(job, "scanStartedAt");
            Instant run = PerfboxApi.stage(job, "runStartedAt");
            Instant finished = PerfboxApi.stage(job, "finishedAt");
            perfboxStages.get(0).add(seconds(queued, build));
            perfboxStages.get(1).add(seconds(build, scan));
            perfboxStages.get(2).add(seconds(scan, run));
            perfboxStages.get(3).add(seconds(run, finished));
            perfboxStages.get(4).add(total - seconds(queued, finished));
            t0 = System.nanoTime();
            double[] steps = new double[3];
            manual(steps);
            byHand.add((System.nanoTime() - t0) / 1e9);
            for (int s = 0; s < 3; s++) {
                handSteps.get(s).add(steps[s]);
            }
        }
        Stats p = Stats.of(perfbox);
        Stats m = Stats.of(byHand);
        double ratio = p.median() / m.median();
        System.out.printf("%n[1] pipeline overhead: submit → SUCCEEDED, %d runs after one warm-up (image cache warm)%n", runs);
        System.out.println("    perfbox over HTTP (poll every 20 ms): " + p.minMedMax("s"));
        System.out.println("    baseline, by hand (docker build with BuildKit, trivy image, docker run --network none with the same limits, read perf.json): "
                + m.minMedMax("s"));
        System.out.printf("    ratio of medians: %.2f (target ≤ %.2f): %s%n", ratio, TARGET, ratio <= TARGET ? "met" : "MISSED");
        System.out.println("    where perfbox's time goes (medians, from the job's stage times):");
        for (int s = 0; s < stages.length; s++) {
            System.out.printf("      %-28s %.3f s%n", stages[s], Stats.of(perfboxStages.get(s)).median());
        }
        System.out.printf("    by hand, medians: docker build %.3f s, trivy %.3f s, docker run + read %.3f s%n",
                Stats.of(handSteps.get(0)).median(), Stats.of(handSteps.get(1)).median(), Stats.of(handSteps.get(2)).median());
        return new Outcome("1", "pipeline submit → SUCCEEDED", String.format("%.3f s", p.median()),
                String.format("%.3f s by hand", m.median()), String.format("%.2f", ratio), String.format("≤ %.2f", TARGET),
                Outcome.Verdict.of(ratio <= TARGET), "");
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    /** The same work done the way a shell script would: build, scan, run isolated, read the result. */
    private void manual(double[] stepSeconds) throws Exception {
        System.arraycopy(byHand.pipeline(DOCKERFILE, 0.99), 0, stepSeconds, 0, 3);
    }
}
