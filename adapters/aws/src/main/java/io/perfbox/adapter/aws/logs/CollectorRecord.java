package io.perfbox.adapter.aws.logs;

import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The collector's record of /data/perf.json, as it writes it on its own log stream (infra-cdk/task-helpers/collect.sh):
 * {@code perfbox-collector 1 BEGIN}, one outcome line (MISSING, NOT_REGULAR_FILE kind, UNREADABLE or CONTENT), after
 * CONTENT the file's first 64 KiB + 1 bytes in base64 over DATA lines, then {@code END}. Only the collector writes
 * that stream (awslogs, with the execution role; the job's container holds no credential), so anything else in it is
 * perfbox's own fault, and an answer without its END is not complete yet (awslogs may still be delivering it).
 */
public final class CollectorRecord {
    static final String PREFIX = "perfbox-collector 1 ";

    private CollectorRecord() {
    }

    /**
     * The result file the record describes, or empty while the record is not complete (no END yet).
     * IllegalArgumentException for lines the collector does not write.
     */
    public static Optional<JobWorkspace.ResultFile> parse(List<String> lines) {
        JobWorkspace.ResultFile outcome = null;
        StringBuilder base64 = null;
        boolean begun = false;
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith(PREFIX)) {
                throw new IllegalArgumentException("the collector's stream has a line it does not write: "
                        + shortened(line));
            }
            String rest = line.substring(PREFIX.length());
            String word = rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest;
            String argument = rest.length() > word.length() ? rest.substring(word.length() + 1) : "";
            switch (word) {
                case "BEGIN" -> {
                    // A retried collector (never in one task) would begin again: its last record counts.
                    begun = true;
                    outcome = null;
                    base64 = null;
                }
                case "MISSING" -> outcome = new JobWorkspace.Missing();
                case "NOT_REGULAR_FILE" -> outcome = new JobWorkspace.NotRegularFile(
                        argument.isBlank() ? "file that is not a regular file" : argument);
                case "UNREADABLE" -> outcome = new JobWorkspace.NotRegularFile("file that cannot be read");
                case "CONTENT" -> base64 = new StringBuilder();
                case "DATA" -> {
                    if (base64 == null) {
                        throw new IllegalArgumentException("the collector's stream has DATA before CONTENT");
                    }
                    base64.append(argument.strip());
                }
                case "END" -> {
                    if (!begun || outcome == null && base64 == null) {
                        throw new IllegalArgumentException("the collector's record ended without an outcome");
                    }
                    return Optional.of(outcome != null ? outcome : content(base64.toString()));
                }
                default -> throw new IllegalArgumentException("the collector's stream has an unknown line: "
                        + shortened(line));
            }
        }
        return Optional.empty();
    }

    private static JobWorkspace.ResultFile content(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the collector's record is not base64: " + e.getMessage(), e);
        }
        return bytes.length > PerformanceResult.MAX_BYTES
                ? new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES)
                : new JobWorkspace.Content(bytes);
    }

    private static String shortened(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "…";
    }
}
