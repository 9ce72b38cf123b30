package io.perfbox.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reading parts of the synthesized template that the assertions library cannot match directly. */
final class TemplateQueries {
    static final ObjectMapper JSON = new ObjectMapper();

    private TemplateQueries() {
    }

    static JsonNode template() {
        return JSON.valueToTree(SynthesizedStack.TEMPLATE.toJSON());
    }

    static List<JsonNode> resources(String type) {
        List<JsonNode> found = new ArrayList<>();
        template().get("Resources").forEach(r -> {
            if (type.equals(r.path("Type").asText())) {
                found.add(r);
            }
        });
        return found;
    }

    /** The state machine's definition: its Fn::Join parts with every token replaced by a placeholder, parsed. */
    static JsonNode stateMachineDefinition() {
        List<JsonNode> machines = resources("AWS::StepFunctions::StateMachine");
        if (machines.size() != 1) {
            throw new AssertionError("expected one state machine, found " + machines.size());
        }
        JsonNode definition = machines.get(0).at("/Properties/DefinitionString");
        StringBuilder text = new StringBuilder();
        if (definition.isTextual()) {
            text.append(definition.asText());
        } else {
            for (JsonNode part : definition.at("/Fn::Join/1")) {
                text.append(part.isTextual() ? part.asText() : "TOKEN");
            }
        }
        try {
            return JSON.readTree(text.toString());
        } catch (Exception e) {
            throw new AssertionError("the definition is not JSON: " + text, e);
        }
    }

    /** For each Task state of the definition, the logical id its Resource refers to (through Fn::GetAtt). */
    static Map<String, String> taskStateResources() {
        JsonNode definition = resources("AWS::StepFunctions::StateMachine").get(0).at("/Properties/DefinitionString");
        List<JsonNode> parts = new ArrayList<>();
        definition.at("/Fn::Join/1").forEach(parts::add);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            text.append(parts.get(i).isTextual() ? parts.get(i).asText() : "TOKEN#" + i);
        }
        Map<String, String> byState = new TreeMap<>();
        try {
            JSON.readTree(text.toString()).get("States").properties().forEach(state -> {
                String resource = state.getValue().path("Resource").asText();
                if (resource.startsWith("TOKEN#")) {
                    JsonNode token = parts.get(Integer.parseInt(resource.substring("TOKEN#".length())));
                    byState.put(state.getKey(), token.at("/Fn::GetAtt/0").asText());
                }
            });
        } catch (Exception e) {
            throw new AssertionError("the definition is not JSON: " + text, e);
        }
        return byState;
    }

    /**
     * A string CloudFormation joins at deploy time, with each token written as {@code {Ref X}} or
     * {@code {GetAtt X.Attr}} (pseudo parameters too: {@code {Ref AWS::Region}}).
     */
    static String joined(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : value.at("/Fn::Join/1")) {
            if (part.isTextual()) {
                text.append(part.asText());
            } else if (part.has("Ref")) {
                text.append("{Ref ").append(part.get("Ref").asText()).append('}');
            } else if (part.has("Fn::GetAtt")) {
                text.append("{GetAtt ").append(part.at("/Fn::GetAtt/0").asText()).append('.')
                        .append(part.at("/Fn::GetAtt/1").asText()).append('}');
            } else if (part.path("Fn::Sub").isTextual()) {
                // The CDK bootstrap's asset bucket: cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}.
                text.append("{Sub ").append(part.get("Fn::Sub").asText()).append('}');
            } else {
                throw new AssertionError("unexpected token " + part);
            }
        }
        return text.toString();
    }

    /** An AwsCustomResource's SDK call (its Create or Update property), parsed, tokens named as in {@link #joined}. */
    static JsonNode sdkCall(JsonNode property) {
        try {
            return JSON.readTree(joined(property));
        } catch (Exception e) {
            throw new AssertionError("not an SDK call: " + property, e);
        }
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        if (array.isTextual()) {
            texts.add(array.asText());
        }
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, new TypeReference<Map<String, Object>>() { });
    }
}
