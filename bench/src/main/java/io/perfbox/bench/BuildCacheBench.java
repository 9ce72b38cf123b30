package io.perfbox.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * 9. A resubmission that only changed its last line, after a first submission with an {@code apt-get install} step:
 * perfbox's per-tenant build cache against the same two pipelines done by hand with Docker's own cache (BuildKit,
 * the builder perfbox uses), and the resubmission's speed-up over the first submission. Each run uses Dockerfiles
 * no earlier build has seen, so every first submission builds from scratch.
 */
final class BuildCacheBench {
    static final double TARGET = 1.15;
    private static final String MANUAL_TAG = "perfbox-bench-cache-manual:latest";

    private final PerfboxApi api;
    private final Scanner trivy;
    private final int runs;

    BuildCacheBench(PerfboxApi api, Scanner trivy, int runs) {
        this.api = api;
        this.trivy = trivy;
        this.runs = runs;
    }

    /** The first submission: an apt-get step no cache has seen (its unique echo), then the result. */
    static String first(String unique) {
        return "FROM debian:bookworm\n"
                + "RUN echo " + unique + " && apt-get update && apt-get install -y --no-install-recommends jq"
                + " && rm -rf /var/lib/apt/lists/*\n"
                + "CMD echo '{\"perf\":0.5}' > /data/perf.json\n";
    }

    /** The resubmission: the same steps, a changed last line. */
    static String resubmission(String unique) {
        return first(unique).replace("{\"perf\":0.5}", "{\"perf\":0.6}");
    }

    Outcome run() throws Exception {
        ByHand byHand = new ByHand(trivy, MANUAL_TAG);
        String docker = byHand.builder();
        List<Double> perfboxFirst = new ArrayList<>();
        List<Double> perfboxAgain = new ArrayList<>();
        List<Double> handFirst = new ArrayList<>();
        List<Double> handAgain = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                String mine = UUID.randomUUID().toString();
                String hand = UUID.randomUUID().toString();
                perfboxFirst.add(timed(() -> api.submitAndWait(first(mine))));
                perfboxAgain.add(timed(() -> api.submitAndWait(resubmission(mine))));
                handFirst.add(timed(() -> byHand.pipeline(first(hand), 0.5)));
                handAgain.add(timed(() -> byHand.pipeline(resubmission(hand), 0.6)));
            }
        } finally {
            byHand.removeImage();
        }
        Stats pf = Stats.of(perfboxFirst);
        Stats pa = Stats.of(perfboxAgain);
        Stats hf = Stats.of(handFirst);
        Stats ha = Stats.of(handAgain);
        double ratio = pa.median() / ha.median();
        double speedUp = pf.median() / pa.median();
        System.out.printf("%n[9] build cache: resubmit with a changed last line after an apt-get install step, %d runs%n", runs);
        System.out.println("    perfbox, first submission:  " + pf.minMedMax("s"));
        System.out.println("    perfbox, resubmission:      " + pa.minMedMax("s"));
        System.out.println("    by hand (" + docker + " build with BuildKit and its cache, trivy image, docker run), first: "
                + hf.minMedMax("s"));
        System.out.println("    by hand, resubmission:      " + ha.minMedMax("s"));
        System.out.printf("    resubmission ratio of medians: %.2f (target ≤ %.2f): %s; perfbox's speed-up of the"
                + " resubmission over the first: %.1f× (by hand: %.1f×)%n", ratio, TARGET, ratio <= TARGET ? "met" : "MISSED",
                speedUp, hf.median() / ha.median());
        return new Outcome("9", "build cache: resubmission", String.format("%.3f s", pa.median()),
                String.format("%.3f s by hand", ha.median()), String.format("%.2f", ratio), String.format("≤ %.2f", TARGET),
                Outcome.Verdict.of(ratio <= TARGET), String.format("%.1f× faster than the first (%.3f s)", speedUp, pf.median()));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double timed(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e9;
    }

}
