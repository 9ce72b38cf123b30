package io.perfbox.adapter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.Optional;

/**
 * Reading what AWS services and Step Functions hand perfbox. Service integrations report AWS objects in PascalCase ("ExitCode"),
 * the AWS APIs and EventBridge in camelCase ("exitCode"): fields are looked up without regard to case.
 */
public final class AwsJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private AwsJson() {
    }

    /** The field named {@code name} in any case, if present and not null. */
    public static Optional<JsonNode> field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact.isNull() ? Optional.empty() : Optional.of(exact);
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().isNull() ? Optional.empty() : Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    public static Optional<String> text(JsonNode node, String name) {
        return field(node, name).filter(JsonNode::isValueNode).map(JsonNode::asText);
    }

    /** A JSON document inside a string (Step Functions' Cause), if it is one. */
    public static Optional<JsonNode> parseEmbedded(String text) {
        if (text == null || text.isBlank() || !text.strip().startsWith("{")) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** At most max characters of text, for messages a person reads. */
    public static String shortened(String text, int max) {
        String t = text == null ? "" : text.strip();
        return t.length() <= max ? t : t.substring(0, max) + "...";
    }
}
