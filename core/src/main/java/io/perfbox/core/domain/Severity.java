package io.perfbox.core.domain;

import java.util.Locale;

/** Vulnerability severities in increasing order, as Trivy reports them. */
public enum Severity {
    UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL;

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    /** Lenient for scanner output: anything unrecognised is UNKNOWN. */
    public static Severity fromScanner(String raw) {
        if (raw == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /** Strict for configuration. */
    public static Severity parseSetting(String raw) {
        try {
            return valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "severity threshold must be one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL, not '" + raw + "'");
        }
    }
}
