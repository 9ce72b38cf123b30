package io.perfbox.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TextLogFormatterTest {
    private final TextLogFormatter formatter = new TextLogFormatter(ZoneId.of("UTC"));

    @AfterEach
    void noJobLeft() {
        JobLogContext.clear();
    }

    private static LogRecord record(Level level, String message, Object... parameters) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName("io.perfbox.runtime.local.PerfboxServer");
        record.setInstant(Instant.parse("2026-03-01T12:00:00.123Z"));
        record.setParameters(parameters);
        return record;
    }

    @Test
    void aLineIsTimeLevelShortLoggerAndMessageInPlainText() {
        String line = formatter.format(record(Level.INFO, "recovery: {0} resumed", 2));

        assertThat(line).isEqualTo("2026-03-01 12:00:00.123 INFO  PerfboxServer: recovery: 2 resumed\n");
        assertThat(line).doesNotContain("{").doesNotContain("\"");
    }

    @Test
    void levelsUseTheCommonNames() {
        assertThat(formatter.format(record(Level.WARNING, "w"))).contains(" WARN  PerfboxServer: w");
        assertThat(formatter.format(record(Level.SEVERE, "e"))).contains(" ERROR PerfboxServer: e");
    }

    @Test
    void jobAndRequestIdsOfTheThreadFollowTheMessage() {
        JobLogContext.set("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
        String line = JobLogContext.withRequest("req-1", () -> formatter.format(record(Level.INFO, "built")));

        assertThat(line).endsWith("built  job=3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a  request=req-1\n");
    }

    @Test
    void aMessageWithNewlinesStaysOnOneLineAndAStackTraceFollowsIndented() {
        LogRecord r = record(Level.SEVERE, "docker said:\nno such image\r\n");
        r.setThrown(new IllegalStateException("boom"));

        String[] lines = formatter.format(r).split("\n");

        assertThat(lines[0]).isEqualTo("2026-03-01 12:00:00.123 ERROR PerfboxServer: docker said: | no such image");
        assertThat(lines[1]).isEqualTo("    java.lang.IllegalStateException: boom");
        assertThat(lines[2]).startsWith("    \tat ");
    }
}
