package io.perfbox.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One plain line per record for a person at a terminal: local time, level (the names {@link JsonLogFormatter} uses),
 * the logger's simple name, the message, then the job and request ids when the thread has them. An error's stack
 * trace follows on indented lines, so the line itself stays short.
 */
public final class TextLogFormatter extends Formatter {
    private final DateTimeFormatter time;

    public TextLogFormatter() {
        this(ZoneId.systemDefault());
    }

    public TextLogFormatter(ZoneId zone) {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(zone);
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        line.append(time.format(record.getInstant())).append(' ');
        String level = JsonLogFormatter.level(record.getLevel());
        line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        line.append(simpleName(record.getLoggerName())).append(": ");
        // A message with newlines (a tool's output) is kept on one line, as in the JSON lines.
        line.append(formatMessage(record).stripTrailing().replace("\r", "").replace("\n", " | "));
        String jobId = JobLogContext.get();
        if (jobId != null) {
            line.append("  job=").append(jobId);
        }
        String requestId = JobLogContext.requestId();
        if (requestId != null) {
            line.append("  request=").append(requestId);
        }
        line.append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            trace.toString().lines().forEach(l -> line.append("    ").append(l).append('\n'));
        }
        return line.toString();
    }

    private static String simpleName(String logger) {
        if (logger == null || logger.isEmpty()) {
            return "root";
        }
        return logger.substring(logger.lastIndexOf('.') + 1);
    }
}
