package io.perfbox.runtime.local.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks a real response against what /openapi.json documents for its route, method and status. */
final class OpenApiValidator {
    private final JsonNode document;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    OpenApiValidator(JsonNode document) {
        this.document = document;
    }

    /** Returns the problems found (empty when the response conforms). */
    Set<String> check(String pathTemplate, String method, Http.Reply reply) {
        JsonNode operation = document.path("paths").path(pathTemplate).path(method.toLowerCase());
        if (operation.isMissingNode()) {
            return Set.of(method + " " + pathTemplate + " is not documented");
        }
        JsonNode response = operation.path("responses").path(Integer.toString(reply.status()));
        if (response.isMissingNode()) {
            return Set.of("status " + reply.status() + " of " + method + " " + pathTemplate + " is not documented");
        }
        response = resolve(response);
        String mediaType = reply.contentType().split(";")[0].strip();
        JsonNode content = response.path("content").path(mediaType);
        if (content.isMissingNode()) {
            return Set.of("media type " + mediaType + " of " + reply.status() + " is not documented for " + method + " " + pathTemplate);
        }
        ObjectNode schemaNode = Http.JSON.createObjectNode();
        schemaNode.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schemaNode.set("components", document.get("components"));
        content.path("schema").properties().forEach(e -> schemaNode.set(e.getKey(), e.getValue()));
        JsonSchema schema = factory.getSchema(schemaNode);
        Set<ValidationMessage> errors = schema.validate(reply.json());
        return errors.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        JsonNode target = document;
        for (String part : ref.asText().substring(2).split("/")) {
            target = target.path(part);
        }
        return target;
    }
}
