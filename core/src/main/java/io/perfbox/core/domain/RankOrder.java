package io.perfbox.core.domain;

import java.util.Comparator;
import java.util.Locale;

/** The leaderboard's direction: highest value first ({@code desc}) or lowest first ({@code asc}, e.g. a loss). */
public enum RankOrder {
    DESC,
    ASC;

    /** {@code asc} or {@code desc} (any case); anything else is bad input. */
    public static RankOrder parse(String raw) {
        String value = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "desc" -> DESC;
            case "asc" -> ASC;
            default -> throw new InvalidInputException("invalid-order", "order must be asc or desc");
        };
    }

    /** As the API spells it. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The leaderboard's order of jobs that all carry {@code metric}: by its value in this direction, then the earlier
     * submission first (createdAt, then id, as the stores' created keys order them), so equal values rank whoever
     * reached them first.
     */
    public Comparator<Job> ranking(String metric) {
        // Numeric comparison, not Double.compare: -0.0 and 0.0 are equal values, as in SQL.
        Comparator<Job> byValue = (a, b) -> {
            double x = a.metric(metric).orElseThrow();
            double y = b.metric(metric).orElseThrow();
            return x < y ? -1 : x > y ? 1 : 0;
        };
        return (this == DESC ? byValue.reversed() : byValue).thenComparing(SUBMISSION_ORDER);
    }

    /** Oldest submission first. */
    public static final Comparator<Job> SUBMISSION_ORDER =
            Comparator.comparing(Job::createdAt).thenComparing(job -> job.id().value());
}
