package io.perfbox.testing.aws;

import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The task collector's record as infra-cdk/task-helpers/collect.sh writes it on its log stream, for the tests that
 * stand in for the collector: {@code perfbox-collector 1 BEGIN}, the outcome lines, {@code perfbox-collector 1 END}.
 * TaskHelpersImageIT shows the real script writes these very lines.
 */
public final class CollectorRecords {
    /** What every line of the record starts with (io.perfbox.adapter.aws.logs.CollectorRecord reads it). */
    public static final String PREFIX = "perfbox-collector 1 ";
    /** collect.sh folds the base64 of the file at this many characters a DATA line. */
    static final int DATA_LINE = 4096;

    private CollectorRecords() {
    }

    /** A whole record with these outcome lines (each without the prefix) between BEGIN and END. */
    public static List<String> of(String... lines) {
        List<String> record = new ArrayList<>(List.of(PREFIX + "BEGIN"));
        for (String line : lines) {
            record.add(PREFIX + line);
        }
        record.add(PREFIX + "END");
        return record;
    }

    /** The record of a regular file holding these bytes: CONTENT, then its base64 over DATA lines. */
    public static List<String> content(byte[] bytes) {
        return of(contentLines(bytes).toArray(String[]::new));
    }

    /** The record of a result file as the local runtime reads it (LinkSafeFiles); TooLarge as a file one byte over. */
    public static List<String> of(JobWorkspace.ResultFile file) {
        return switch (file) {
            case JobWorkspace.Missing m -> of("MISSING");
            case JobWorkspace.NotRegularFile n -> of("NOT_REGULAR_FILE " + n.kind());
            case JobWorkspace.TooLarge t -> content(new byte[PerformanceResult.MAX_BYTES + 1]);
            case JobWorkspace.Content c -> content(c.bytes());
        };
    }

    private static List<String> contentLines(byte[] bytes) {
        String base64 = Base64.getEncoder().encodeToString(bytes);
        List<String> lines = new ArrayList<>(List.of("CONTENT"));
        for (int i = 0; i < base64.length(); i += DATA_LINE) {
            lines.add("DATA " + base64.substring(i, Math.min(base64.length(), i + DATA_LINE)));
        }
        return lines;
    }
}
