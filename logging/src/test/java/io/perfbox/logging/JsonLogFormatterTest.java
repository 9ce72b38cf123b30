package io.perfbox.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonLogFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @AfterEach
    void noJobLeft() {
        JobLogContext.clear();
    }

    private static LogRecord record(Level level, String message, Object... parameters) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName("io.perfbox.test");
        record.setInstant(Instant.parse("2026-03-01T12:00:00.123Z"));
        record.setParameters(parameters);
        return record;
    }

    private JsonNode formatted(LogRecord record) throws Exception {
        String line = formatter.format(record);
        assertThat(line).as("one line, ended").endsWith("\n").doesNotContain("\r");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.isObject()).isTrue();
        return json;
    }

    @Test
    void lineHasTimestampLevelLoggerAndFormattedMessageInThatOrder() throws Exception {
        JsonNode json = formatted(record(Level.INFO, "job {0}: {1}", "abc", "begin"));

        assertThat(json.properties()).extracting(e -> e.getKey())
                .containsExactly("timestamp", "level", "logger", "message");
        assertThat(json.path("timestamp").asText()).isEqualTo("2026-03-01T12:00:00.123Z");
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("logger").asText()).isEqualTo("io.perfbox.test");
        assertThat(json.path("message").asText()).isEqualTo("job abc: begin");
    }

    @Test
    void jobIdOfTheThreadIsOnTheLine() throws Exception {
        JobLogContext.set("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");

        JsonNode json = formatted(record(Level.WARNING, "slow"));

        assertThat(json.path("jobId").asText()).isEqualTo("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
    }

    @Test
    void requestIdOfTheRequestBeingAnsweredIsOnTheLine() throws Exception {
        JsonNode json = JobLogContext.withRequest("req-7f3a", () -> {
            try {
                return formatted(record(Level.INFO, "answered"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(json.path("requestId").asText()).isEqualTo("req-7f3a");
        assertThat(formatted(record(Level.INFO, "outside")).has("requestId")).isFalse();
    }

    @Test
    void errorWithAMultiLineMessageAndItsStackTraceStaysOnOneLine() throws Exception {
        LogRecord record = record(Level.SEVERE, "could not stop\nthe task");
        record.setThrown(new IllegalStateException("ECS said:\nno", new RuntimeException("cause")));

        JsonNode json = formatted(record);

        assertThat(json.path("message").asText()).isEqualTo("could not stop\nthe task");
        assertThat(json.path("error").asText())
                .startsWith("java.lang.IllegalStateException: ECS said:\nno")
                .contains("\tat io.perfbox.logging.JsonLogFormatterTest.")
                .contains("Caused by: java.lang.RuntimeException: cause");
    }

    /** Lambda's JSON log format filters by these names; it would take SEVERE or WARNING for INFO. */
    @ParameterizedTest
    @CsvSource({"SEVERE,ERROR", "WARNING,WARN", "INFO,INFO", "CONFIG,DEBUG", "FINE,DEBUG", "FINER,TRACE", "FINEST,TRACE"})
    void levelsCarryTheNamesLambdaFiltersOn(String julLevel, String expected) throws Exception {
        assertThat(formatted(record(Level.parse(julLevel), "x")).path("level").asText()).isEqualTo(expected);
    }

    @Test
    void messageThatIsNotTextStillMakesValidJson() throws Exception {
        JsonNode json = formatted(record(Level.INFO, "quote \" backslash \\ tab \t nul \0 emoji \uD83D\uDE00"));

        assertThat(json.path("message").asText()).isEqualTo("quote \" backslash \\ tab \t nul \0 emoji \uD83D\uDE00");
        assertThat(json.has("jobId")).as("no job on this thread").isFalse();
    }
}
