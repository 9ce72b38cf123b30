package io.perfbox.core.domain;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A job's named metrics beside its primary value (perf.json's {@code "metrics"} object): the bounds on them and the
 * rules for their names, shared by the perf.json parser, the stores and the leaderboard.
 */
public final class Metrics {
    /** Most metrics one job may carry. */
    public static final int MAX_COUNT = 32;
    /** Longest metric name, in characters. */
    public static final int MAX_NAME_LENGTH = 64;
    /** The characters a name may use, as documented (README, openapi.json). */
    public static final String NAME_CHARACTERS = "A-Z a-z 0-9 _ . -";
    /**
     * The leaderboard's name for the primary value; no metric may take it, so that {@code metric=performance} always
     * means the job's {@code performance}.
     */
    public static final String PERFORMANCE = "performance";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private Metrics() {
    }

    /** Empty when {@code name} may name a metric; otherwise why not, in words. */
    public static Optional<String> nameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a metric name is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of("metric name " + quoted(name) + " is " + name.length() + " characters long; at most "
                    + MAX_NAME_LENGTH + " are allowed");
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("metric name " + quoted(name) + " has a character outside " + NAME_CHARACTERS);
        }
        if (name.equals(PERFORMANCE)) {
            return Optional.of("metric name \"performance\" is reserved for the primary value (\"perf\")");
        }
        return Optional.empty();
    }

    /** What the leaderboard may rank by: {@link #PERFORMANCE} or a valid metric name. */
    public static boolean isRankable(String name) {
        return name.equals(PERFORMANCE) || nameProblem(name).isEmpty();
    }

    /** An unmodifiable copy ordered by name; refuses an invalid name, a non-finite value or more than MAX_COUNT. */
    public static Map<String, Double> copyOf(Map<String, Double> metrics) {
        if (metrics == null || metrics.isEmpty()) {
            return Map.of();
        }
        if (metrics.size() > MAX_COUNT) {
            throw new IllegalArgumentException("at most " + MAX_COUNT + " metrics, not " + metrics.size());
        }
        TreeMap<String, Double> sorted = new TreeMap<>();
        metrics.forEach((name, value) -> {
            nameProblem(name).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException("metric " + name + " must be a finite number");
            }
            sorted.put(name, value);
        });
        return Collections.unmodifiableSortedMap(sorted);
    }

    /** A name as a message shows it: quoted, cut after MAX_NAME_LENGTH characters, control characters as '?'. */
    static String quoted(String name) {
        String shown = name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) + "…" : name;
        return "\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
