package io.perfbox.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object per line (the local runtime's logs and the Lambdas' alike): timestamp, level, logger, the job id
 * when the thread works for one ({@link JobLogContext}), the message, and any error with its stack trace. Newlines
 * inside values are escaped, so even a stack trace stays on its line: CloudWatch keeps it as one event.
 *
 * <p>The keys and levels are the ones Lambda's JSON log format reads from what a function prints: {@code timestamp}
 * (RFC 3339) and {@code level} as TRACE, DEBUG, INFO, WARN or ERROR, so Lambda's application log level filters these
 * lines too (it would take java.util.logging's SEVERE or WARNING for INFO).
 */
public final class JsonLogFormatter extends Formatter {
    /** The streaming generator only: a function's first log line loads no data binding (issue 22). */
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String format(LogRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", record.getInstant().toString());
        line.put("level", level(record.getLevel()));
        line.put("logger", record.getLoggerName());
        String jobId = JobLogContext.get();
        if (jobId != null) {
            line.put("jobId", jobId);
        }
        String requestId = JobLogContext.requestId();
        if (requestId != null) {
            line.put("requestId", requestId);
        }
        line.put("message", formatMessage(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("error", trace.toString());
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> field : line.entrySet()) {
                if (field.getValue() == null) {
                    g.writeNullField(field.getKey()); // as the mapper wrote a null (a record without a logger name)
                } else {
                    g.writeStringField(field.getKey(), field.getValue().toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unloggable record\"}\n";
        }
        return out + "\n";
    }

    /** java.util.logging's levels in the common (and Lambda's) names. */
    static String level(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (value >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }
}
