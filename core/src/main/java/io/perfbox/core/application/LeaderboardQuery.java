package io.perfbox.core.application;

import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.RankOrder;
import java.util.Objects;

/**
 * A tenant's leaderboard by one metric ({@link Metrics#PERFORMANCE} or a metric's name), in one direction, at most
 * {@code limit} entries; or, with {@link #history}, that metric over the tenant's successive submissions.
 */
public record LeaderboardQuery(String owner, String metric, RankOrder order, int limit) {
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 100;
    public static final int DEFAULT_HISTORY_LIMIT = 100;
    public static final int MAX_HISTORY_LIMIT = 1000;

    public LeaderboardQuery {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(order, "order");
        metric = checkedMetric(metric);
        checkLimit(limit, MAX_LIMIT);
    }

    /** The chart's query: the latest {@code limit} submissions that carry the metric, oldest first. */
    public record History(String owner, String metric, int limit) {
        public History {
            Objects.requireNonNull(owner, "owner");
            metric = checkedMetric(metric);
            checkLimit(limit, MAX_HISTORY_LIMIT);
        }
    }

    private static String checkedMetric(String metric) {
        String m = metric == null ? Metrics.PERFORMANCE : metric;
        if (!Metrics.isRankable(m)) {
            throw new InvalidInputException("invalid-metric", "metric must be \"performance\" or a metric name: 1 to "
                    + Metrics.MAX_NAME_LENGTH + " of " + Metrics.NAME_CHARACTERS);
        }
        return m;
    }

    private static void checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new InvalidInputException("invalid-limit", "limit must be between 1 and " + max);
        }
    }
}
