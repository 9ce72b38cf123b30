package io.perfbox.core.domain;

/**
 * One of the scanner's own Dockerfile checks that the Dockerfile fails, e.g. DS002 "Image user should not be 'root'".
 * startLine and endLine: the Dockerfile's lines it is about (1 for the first), null when the check names none (a
 * check about the whole file, such as a missing USER).
 */
public record Misconfiguration(String id, String title, Severity severity, String message, Integer startLine,
                               Integer endLine) {
    public Misconfiguration {
        severity = severity == null ? Severity.UNKNOWN : severity;
        if (startLine != null && startLine < 1) {
            startLine = null;
        }
        if (endLine != null && (endLine < 1 || startLine == null || endLine < startLine)) {
            endLine = startLine;
        }
    }

    /** "DS002 (HIGH) Image user should not be 'root'" with " at line 3" or " at lines 3-5" when it names lines. */
    public String describe() {
        StringBuilder sb = new StringBuilder(id).append(" (").append(severity).append(')');
        if (title != null && !title.isBlank()) {
            sb.append(' ').append(title);
        }
        if (startLine != null) {
            sb.append(endLine == null || endLine.equals(startLine) ? " at line " + startLine
                    : " at lines " + startLine + "-" + endLine);
        }
        return sb.toString();
    }
}
