package io.perfbox.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.perfbox.core.json.JsonText;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The response bodies a function's first request writes, a job and a problem, written with Jackson's streaming
 * generator: the same bytes {@link ApiJson#MAPPER} writes for them (ApiJsonStreamingTest holds the two together),
 * without its data binding, which would be most of the classes a Lambda's first request loads (issue 22). Every
 * other body goes to the mapper.
 */
final class ResponseJson {
    private ResponseJson() {
    }

    static byte[] bytes(Object body) {
        if (body instanceof ApiJson.JobView job) {
            return JsonText.writeBytes(g -> job(g, job));
        }
        if (body instanceof Problem problem) {
            return JsonText.writeBytes(g -> problem(g, problem));
        }
        return ApiJson.writeBytes(body);
    }

    private static void problem(JsonGenerator g, Problem p) throws IOException {
        g.writeStartObject();
        string(g, "type", p.type());
        string(g, "title", p.title());
        g.writeNumberField("status", p.status());
        string(g, "detail", p.detail());
        string(g, "instance", p.instance());
        g.writeEndObject();
    }

    private static void job(JsonGenerator g, ApiJson.JobView j) throws IOException {
        g.writeStartObject();
        string(g, "id", j.id());
        string(g, "name", j.name());
        string(g, "description", j.description());
        string(g, "status", j.status());
        g.writeFieldName("failure");
        if (j.failure() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            string(g, "code", j.failure().code());
            string(g, "message", j.failure().message());
            g.writeEndObject();
        }
        g.writeFieldName("performance");
        JsonText.writeValue(g, j.performance());
        value(g, "metrics", j.metrics());
        instant(g, "createdAt", j.createdAt());
        instant(g, "updatedAt", j.updatedAt());
        g.writeFieldName("stages");
        if (j.stages() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            instant(g, "queuedAt", j.stages().queuedAt());
            instant(g, "buildStartedAt", j.stages().buildStartedAt());
            instant(g, "scanStartedAt", j.stages().scanStartedAt());
            instant(g, "runStartedAt", j.stages().runStartedAt());
            instant(g, "finishedAt", j.stages().finishedAt());
            g.writeEndObject();
        }
        value(g, "vulnerabilities", j.vulnerabilities());
        value(g, "warnings", j.warnings());
        value(g, "receipt", j.receipt());
        g.writeNumberField("runs", j.runs());
        g.writeFieldName("runResults");
        if (j.runResults() == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (ApiJson.RunView r : j.runResults()) {
                g.writeStartObject();
                g.writeNumberField("run", r.run());
                g.writeNumberField("value", r.value());
                value(g, "metrics", r.metrics());
                g.writeFieldName("durationSeconds");
                JsonText.writeValue(g, r.durationSeconds());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeFieldName("runSummary");
        ApiJson.RunSummaryView s = j.runSummary();
        if (s == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            g.writeNumberField("completed", s.completed());
            value(g, "values", s.values());
            g.writeNumberField("median", s.median());
            g.writeNumberField("min", s.min());
            g.writeNumberField("max", s.max());
            g.writeFieldName("spread");
            JsonText.writeValue(g, s.spread());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        g.writeFieldName(name);
        JsonText.writeValue(g, value);
    }

    /** As jackson-datatype-jsr310 writes an Instant with WRITE_DATES_AS_TIMESTAMPS off: ISO-8601, {@link Instant#toString}. */
    private static void instant(JsonGenerator g, String name, Instant value) throws IOException {
        string(g, name, value == null ? null : value.toString());
    }

    private static void value(JsonGenerator g, String name, Object value) throws IOException {
        if (value != null && !(value instanceof Map<?, ?> || value instanceof List<?>)) {
            throw new IllegalArgumentException(name + " is not a map or list");
        }
        g.writeFieldName(name);
        JsonText.writeValue(g, value);
    }
}
