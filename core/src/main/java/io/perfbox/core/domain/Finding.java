package io.perfbox.core.domain;

/** One vulnerability the scanner found in the image. fixedVersion is null when no fix exists. */
public record Finding(String vulnerabilityId, String packageName, String installedVersion,
                      String fixedVersion, Severity severity, String title, String target) {
    public Finding {
        severity = severity == null ? Severity.UNKNOWN : severity;
        fixedVersion = fixedVersion == null || fixedVersion.isBlank() ? null : fixedVersion;
    }

    public boolean hasFix() {
        return fixedVersion != null;
    }
}
