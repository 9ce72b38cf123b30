package io.perfbox.runtime.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Values as a person at a terminal reads them: times relative to now, durations, numbers, counts. */
final class Human {
    /** The severities from the worst down, as the API names them. */
    static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN");

    private Human() {
    }

    /** "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago"; past 30 days the date; ahead of now "in …". */
    static String ago(Instant t, Instant now) {
        long s = Duration.between(t, now).toSeconds();
        if (Math.abs(s) < 5) {
            return "just now";
        }
        long a = Math.abs(s);
        String span;
        if (a < 60) {
            span = a + " s";
        } else if (a < 3600) {
            span = a / 60 + " min";
        } else if (a < 86_400) {
            span = a / 3600 + " h";
        } else if (a < 30 * 86_400L) {
            span = a / 86_400 + (a / 86_400 == 1 ? " day" : " days");
        } else {
            return t.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        }
        return s > 0 ? span + " ago" : "in " + span;
    }

    /** {@link #ago} of an ISO-8601 instant as the API writes it; what is not one is shown as it came. */
    static String ago(String iso, Instant now) {
        if (iso == null) {
            return null;
        }
        try {
            return ago(Instant.parse(iso), now);
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** "0.4 s", "12.3 s", "3 min 5 s", "2 h 10 min". */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }

    /**
     * A number as a person writes it: 900 for 900.0, 0.25, 0.0001 (not 1.0E-4), 12345678 (not 1.2345678E7); very
     * large or small magnitudes keep their exponent. Text that is not a number is shown as it came; null is "-".
     */
    static String number(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "-";
        }
        if (!n.isNumber()) {
            return n.asText();
        }
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        double d = n.asDouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int magnitude = exact.precision() - exact.scale() - 1;
        if (exact.signum() != 0 && (magnitude > 15 || magnitude < -7)) {
            return Double.toString(d);
        }
        return exact.signum() == 0 ? "0" : exact.toPlainString();
    }

    /** A severity count map ({"CRITICAL":1,"HIGH":2,...}) as "1 CRITICAL, 2 HIGH"; all zero: "none". */
    static String counts(JsonNode counts) {
        if (counts == null || !counts.isObject()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (String severity : SEVERITIES) {
            JsonNode c = counts.get(severity);
            if (c != null && c.asLong() > 0) {
                parts.add(number(c) + " " + severity);
            }
        }
        for (var e : counts.properties()) {
            if (!SEVERITIES.contains(e.getKey()) && e.getValue().asLong() > 0) {
                parts.add(number(e.getValue()) + " " + e.getKey());
            }
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** The rank of a severity, 0 for CRITICAL; one the API may add later sorts last. */
    static int severityRank(String severity) {
        int i = severity == null ? -1 : SEVERITIES.indexOf(severity.toUpperCase(Locale.ROOT));
        return i < 0 ? SEVERITIES.size() : i;
    }
}
