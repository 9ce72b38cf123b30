package io.perfbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * 12. Fair CPU: the same CPU-bound job ({@code sysbench cpu --threads=1}, from Debian's mirror; 10 runs of 5 s in
 * one job, each its own measurement) alone on the server, then beside a CPU hog (two busy loops) running in the other
 * worker. The hog is held by its {@code --cpus} limit like every job, and, with perfbox's CPU pool, to CPUs of its
 * own: the measured job's events per second should not move. Targets: the median beside the hog at least 0.95 of the
 * median alone, and a coefficient of variation of at most 2 % in each. Needs two workers and two CPUs.
 */
final class FairCpuBench {
    static final double RATIO_TARGET = 0.95;
    static final double CV_TARGET = 0.02;
    static final int RUNS = 10;

    private final PerfboxApi api;

    FairCpuBench(PerfboxApi api) {
        this.api = api;
    }

    /** The measured job: sysbench's events per second as its performance; a unique echo builds it afresh once. */
    static String sysbench(String unique) {
        return "FROM debian:bookworm\n"
                + "RUN echo " + unique + " && apt-get update && apt-get install -y --no-install-recommends sysbench"
                + " && rm -rf /var/lib/apt/lists/*\n"
                + "CMD sysbench cpu --threads=1 --time=5 run | awk '/events per second/ {printf \"{\\\"perf\\\":%s}\", $4}'"
                + " > /data/perf.json\n";
    }

    /** The neighbour: two busy loops for up to ten minutes (it is cancelled once the measurement is done). */
    static final String HOG = "FROM debian:bookworm\n"
            + "CMD sh -c 'for i in 1 2; do (while :; do :; done) & done; sleep 600'\n";

    Outcome run() throws Exception {
        String unique = UUID.randomUUID().toString();
        // Alone (the first submission also builds the image: its runs start after the build, so they are alone too).
        List<Double> alone = values(api.awaitEnd(api.submit(sysbench(unique), RUNS)));
        String hog = api.submit(HOG, 1);
        List<Double> beside;
        try {
            api.awaitStatus(hog, "RUNNING");
            beside = values(api.awaitEnd(api.submit(sysbench(unique), RUNS)));
            if (!api.job(hog).get("status").asText().equals("RUNNING")) {
                throw new IllegalStateException("the hog ended before the measurement did: " + api.job(hog));
            }
        } finally {
            api.cancel(hog);
        }
        Stats a = Stats.of(alone);
        Stats b = Stats.of(beside);
        double ratio = b.median() / a.median();
        double cvAlone = cv(alone);
        double cvBeside = cv(beside);
        boolean met = ratio >= RATIO_TARGET && cvAlone <= CV_TARGET && cvBeside <= CV_TARGET;
        System.out.printf("%n[12] fair CPU: sysbench cpu --threads=1, %d runs of 5 s in one job, alone vs beside a CPU hog"
                + " in the other worker%n", RUNS);
        System.out.println("    alone:        " + a.minMedMax("events/s", 1) + String.format(", CV %.1f %%", cvAlone * 100));
        System.out.println("    beside a hog: " + b.minMedMax("events/s", 1) + String.format(", CV %.1f %%", cvBeside * 100));
        System.out.printf("    ratio of medians: %.3f (target ≥ %.2f), CV target ≤ %.0f %%: %s%n", ratio, RATIO_TARGET,
                CV_TARGET * 100, met ? "met" : "MISSED");
        return new Outcome("12", "fair CPU: sysbench beside a hog", String.format("%.1f events/s", b.median()),
                String.format("%.1f events/s alone", a.median()), String.format("%.3f", ratio),
                String.format("≥ %.2f, CV ≤ %.0f %%", RATIO_TARGET, CV_TARGET * 100), Outcome.Verdict.of(met),
                String.format("CV %.1f %% alone, %.1f %% beside", cvAlone * 100, cvBeside * 100));
    }

    /** Each run's value of a SUCCEEDED job; any other end fails the benchmark. */
    private static List<Double> values(JsonNode job) {
        if (!job.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the sysbench job ended " + job);
        }
        List<Double> values = new ArrayList<>();
        job.path("runResults").forEach(r -> values.add(r.path("value").asDouble()));
        if (values.size() != RUNS) {
            throw new IllegalStateException("expected " + RUNS + " runs, got " + job.path("runResults"));
        }
        return values;
    }

    /** Sample standard deviation over the mean. */
    static double cv(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(ss / (values.size() - 1)) / mean;
    }
}
