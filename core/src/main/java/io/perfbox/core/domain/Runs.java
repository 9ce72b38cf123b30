package io.perfbox.core.domain;

import io.perfbox.core.json.JsonText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's repeated runs: how many the submission asked for ({@link #MIN}..{@link #MAX}, {@link #DEFAULT} 1) and each
 * run that completed with a value, in order. The image is built and scanned once and run that many times, each with a
 * fresh, empty /data. The job's performance is the {@link #median} of the runs' values (an even count: the mean of the
 * two middle ones); each metric is the median of that metric over the runs (every run must report the same metrics).
 * {@link #spread} is the relative spread, (max − min) / |median|.
 */
public record Runs(int requested, List<Run> completed) {
    public static final int MIN = 1;
    public static final int MAX = 10;
    public static final int DEFAULT = 1;
    /** One run, none completed yet: a submission that asked for nothing else (and a job from before runs). */
    public static final Runs SINGLE = new Runs(DEFAULT, List.of());

    /**
     * One completed run: its number (1 for the first), the value its perf.json held, its metrics, and how long it ran
     * (null when unknown: a job stored before runs were recorded, or a runtime that does not tell).
     */
    public record Run(int number, double performance, Map<String, Double> metrics, Duration duration) {
        public Run {
            if (number < 1) {
                throw new IllegalArgumentException("a run's number starts at 1, not " + number);
            }
            if (!Double.isFinite(performance)) {
                throw new IllegalArgumentException("a run's performance must be finite");
            }
            metrics = Metrics.copyOf(metrics);
            if (duration != null && duration.isNegative()) {
                duration = Duration.ZERO;
            }
        }
    }

    public Runs {
        if (requested < MIN || requested > MAX) {
            throw new IllegalArgumentException("runs must be from " + MIN + " to " + MAX + ", not " + requested);
        }
        completed = completed == null ? List.of() : List.copyOf(completed);
        if (completed.size() > requested) {
            throw new IllegalArgumentException(completed.size() + " runs completed of " + requested + " asked for");
        }
        for (int i = 0; i < completed.size(); i++) {
            if (completed.get(i).number() != i + 1) {
                throw new IllegalArgumentException("run " + completed.get(i).number() + " recorded as run " + (i + 1));
            }
        }
    }

    /** {@code requested} runs, none completed yet. */
    public static Runs of(int requested) {
        return requested == DEFAULT ? SINGLE : new Runs(requested, List.of());
    }

    /** The number of the run due next (1 before any). */
    public int next() {
        return completed.size() + 1;
    }

    /** Whether every run asked for has completed. */
    public boolean complete() {
        return completed.size() == requested;
    }

    /** These runs with {@code run}, the one due next, completed. */
    public Runs with(Run run) {
        Objects.requireNonNull(run, "run");
        if (run.number() != next()) {
            throw new IllegalArgumentException("run " + run.number() + " completed while run " + next() + " is due");
        }
        List<Run> more = new ArrayList<>(completed);
        more.add(run);
        return new Runs(requested, more);
    }

    /** How a message names run {@code number}: "run 3 of 5". */
    public String label(int number) {
        return "run " + number + " of " + requested;
    }

    /** Each completed run's value, in run order. */
    public List<Double> values() {
        return completed.stream().map(Run::performance).toList();
    }

    /** The median of the completed runs' values (an even count: the mean of the two middle ones); empty for none. */
    public Optional<Double> median() {
        return median(values());
    }

    public Optional<Double> min() {
        return values().stream().min(Double::compare);
    }

    public Optional<Double> max() {
        return values().stream().max(Double::compare);
    }

    /**
     * The relative spread of the completed runs' values, (max − min) / |median|: 0 when every run gave the same value
     * (one run included), 0.05 when they range over 5 % of the median. Empty when no run completed, or when the median
     * is 0 while the values differ (the ratio has no meaning then; min and max still tell).
     */
    public Optional<Double> spread() {
        Optional<Double> median = median();
        if (median.isEmpty()) {
            return Optional.empty();
        }
        double range = max().orElseThrow() - min().orElseThrow();
        if (range == 0) {
            return Optional.of(0.0);
        }
        double m = Math.abs(median.get());
        if (m == 0) {
            return Optional.empty();
        }
        double s = range / m;
        return Double.isFinite(s) ? Optional.of(s) : Optional.empty();
    }

    /** Each metric's median over the completed runs (the runs carry the same names: the lifecycle holds them to it). */
    public Map<String, Double> medianMetrics() {
        if (completed.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : completed.get(0).metrics().keySet()) {
            List<Double> each = completed.stream().map(r -> r.metrics().get(name)).filter(Objects::nonNull).toList();
            median(each).ifPresent(m -> out.put(name, m));
        }
        return out;
    }

    /** The median of {@code values} (an even count: the mean of the two middle ones); empty for none. */
    public static Optional<Double> median(List<Double> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        if (n % 2 == 1) {
            return Optional.of(sorted[n / 2]);
        }
        double a = sorted[n / 2 - 1];
        double b = sorted[n / 2];
        // a + (b - a) / 2 cannot overflow where (a + b) / 2 could for values near Double.MAX_VALUE.
        double mid = a + (b - a) / 2;
        return Optional.of(Double.isFinite(mid) ? mid : a / 2 + b / 2);
    }

    /**
     * These runs as the stores keep them, one schema for every store: {@code {"requested":3,"completed":[{"number":1,
     * "performance":0.5,"metrics":{...},"duration":"PT1.25S"}]}} (the duration ISO-8601, exact to the nanosecond;
     * absent when unknown). Written and read with the streaming JSON only ({@link JsonText}): a Lambda's first
     * request stores and reads a job, and must not load the data binding (issue 22).
     */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("requested", requested);
        List<Object> list = new ArrayList<>();
        for (Run r : completed) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("number", r.number());
            node.put("performance", r.performance());
            if (!r.metrics().isEmpty()) {
                node.put("metrics", new LinkedHashMap<>(r.metrics()));
            }
            if (r.duration() != null) {
                node.put("duration", r.duration().toString());
            }
            list.add(node);
        }
        root.put("completed", list);
        return JsonText.write(root);
    }

    /** Runs from {@link #toJson}'s text; empty for null (a job stored before runs). Unreadable text is an error. */
    public static Optional<Runs> fromJson(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            Map<?, ?> root = (Map<?, ?>) JsonText.read(json);
            List<Run> runs = new ArrayList<>();
            Object completed = root.get("completed");
            for (Object item : completed == null ? List.of() : (List<?>) completed) {
                Map<?, ?> node = (Map<?, ?>) item;
                Map<String, Double> metrics = new LinkedHashMap<>();
                if (node.get("metrics") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> metrics.put((String) k, ((Number) v).doubleValue()));
                }
                Object d = node.get("duration");
                runs.add(new Run(((Number) node.get("number")).intValue(), ((Number) node.get("performance")).doubleValue(),
                        metrics, d == null ? null : Duration.parse((String) d)));
            }
            return Optional.of(new Runs(((Number) root.get("requested")).intValue(), runs));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable runs: " + json, e);
        }
    }

    @Override
    public String toString() {
        return "Runs[" + completed.size() + " of " + requested + ": " + Arrays.toString(values().toArray()) + "]";
    }
}
