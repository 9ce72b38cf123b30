package io.perfbox.core.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Strict parser for the performance a container wrote to /data/perf.json.
 * Accepted: a JSON object with one finite numeric {@code perf} or {@code performance} field
 * (other fields are ignored), or a bare JSON number. Anything else is an {@link Invalid} result.
 * The object may carry named metrics beside it, {@code "metrics": {"accuracy": 0.91, "loss": 0.23}}: at most
 * {@link Metrics#MAX_COUNT}, each name valid by {@link Metrics#nameProblem}, each value a finite number; one bad
 * metric makes the whole file invalid, so a job never records half of what its container measured.
 */
public final class PerformanceResult {
    /** Files larger than this are rejected without being parsed. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private PerformanceResult() {
    }

    public sealed interface Outcome permits Valid, Invalid {
    }

    public record Valid(double performance, Map<String, Double> metrics) implements Outcome {
        public Valid {
            metrics = Metrics.copyOf(metrics);
        }

        /** A primary value without metrics. */
        public Valid(double performance) {
            this(performance, Map.of());
        }
    }

    public record Invalid(String reason) implements Outcome {
    }

    public static Outcome parse(byte[] content) {
        if (content.length > MAX_BYTES) {
            return new Invalid("perf.json is larger than " + MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            return new Invalid("perf.json is not UTF-8 text");
        }
        if (text.isBlank()) {
            return new Invalid("perf.json is empty");
        }
        JsonNode root;
        try {
            root = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return new Invalid("perf.json is not valid JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // Jackson throws this, not a JsonProcessingException, for an exponent beyond int range (1e9999999999).
            return new Invalid("perf.json has a number out of the range of a double");
        }
        if (root == null || root.isMissingNode()) {
            return new Invalid("perf.json is empty");
        }
        if (root.isNumber()) {
            return finite(root, "the number");
        }
        if (!root.isObject()) {
            return new Invalid("perf.json must be a JSON object like {\"perf\": 0.99} or a number, not "
                    + root.getNodeType().name().toLowerCase());
        }
        JsonNode perf = root.get("perf");
        JsonNode performance = root.get("performance");
        if (perf != null && performance != null) {
            return new Invalid("perf.json has both \"perf\" and \"performance\"; give exactly one");
        }
        JsonNode value = perf != null ? perf : performance;
        String field = perf != null ? "perf" : "performance";
        if (value == null) {
            return new Invalid("perf.json has no \"perf\" field");
        }
        if (!value.isNumber()) {
            return new Invalid("\"" + field + "\" must be a number, not " + value.getNodeType().name().toLowerCase());
        }
        Outcome primary = finite(value, "\"" + field + "\"");
        JsonNode metrics = root.get("metrics");
        if (metrics == null || primary instanceof Invalid) {
            return primary;
        }
        return metrics(metrics, ((Valid) primary).performance());
    }

    private static Outcome metrics(JsonNode metrics, double performance) {
        if (!metrics.isObject()) {
            return new Invalid("\"metrics\" must be a JSON object of names to numbers, not "
                    + metrics.getNodeType().name().toLowerCase());
        }
        if (metrics.size() > Metrics.MAX_COUNT) {
            return new Invalid("\"metrics\" has " + metrics.size() + " entries; at most " + Metrics.MAX_COUNT
                    + " are allowed");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : metrics.properties()) {
            String name = entry.getKey();
            var problem = Metrics.nameProblem(name);
            if (problem.isPresent()) {
                return new Invalid(problem.get());
            }
            JsonNode v = entry.getValue();
            String what = "metric \"" + name + "\"";
            if (!v.isNumber()) {
                return new Invalid(what + " must be a number, not " + v.getNodeType().name().toLowerCase());
            }
            Outcome one = finite(v, what);
            if (one instanceof Invalid invalid) {
                return invalid;
            }
            values.put(name, ((Valid) one).performance());
        }
        return new Valid(performance, values);
    }

    private static Outcome finite(JsonNode number, String what) {
        double d = number.decimalValue().doubleValue();
        if (!Double.isFinite(d)) {
            return new Invalid(what + " is out of the range of a double");
        }
        return new Valid(d);
    }
}
