package io.perfbox.runtime.local.cli;

import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The client commands' option values, checked as they are parsed: a wrong one is exit 2 with a hint (and the nearest
 * valid value when there is one) before any request is sent.
 */
final class Arguments {
    /** The most a page of the API's lists holds (openapi.json: limit 1 to 100). */
    static final int MAX_LIMIT = 100;

    private Arguments() {
    }

    /** A job status, any case: QUEUED, BUILDING, SCANNING, RUNNING, SUCCEEDED, FAILED or CANCELLED. */
    static final class StatusConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.strip().toUpperCase(Locale.ROOT);
            List<String> statuses = Arrays.stream(JobStatus.values()).map(Enum::name).toList();
            if (statuses.contains(v)) {
                return v;
            }
            String nearest = nearest(v, statuses);
            throw new TypeConversionException("'" + value + "' is not a job status"
                    + (nearest == null ? "" : "; did you mean " + nearest + "?") + " (one of " + String.join(", ", statuses) + ")");
        }
    }

    /** A count of 1 to 100 (a page of the API's lists). */
    static final class LimitConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= 1 && n <= MAX_LIMIT) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("'" + value + "' is not a whole number from 1 to " + MAX_LIMIT);
        }
    }

    /** What the leaderboard ranks by: performance or a metric's name (1 to 64 of A-Z a-z 0-9 _ . -). */
    static final class MetricConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (Metrics.isRankable(value)) {
                return value;
            }
            throw new TypeConversionException("'" + value + "' is not a metric: performance, or a metric's name of 1 to "
                    + Metrics.MAX_NAME_LENGTH + " of " + Metrics.NAME_CHARACTERS);
        }
    }

    /** The candidate within two edits of {@code typed}, the closest, or null. */
    static String nearest(String typed, List<String> candidates) {
        String best = null;
        int bestDistance = 3;
        for (String c : candidates) {
            int d = PerfboxCli.editDistance(typed.toUpperCase(Locale.ROOT), c.toUpperCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }
}
