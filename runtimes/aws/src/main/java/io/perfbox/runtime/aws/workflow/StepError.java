package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJson;
import java.util.Optional;

/**
 * What a Catch put in the state ({"Error": ..., "Cause": ...}): Error is a name such as States.Timeout,
 * States.TaskFailed or the class of a Lambda's exception; Cause is text, often JSON (a Lambda's
 * {"errorMessage", "errorType"}, the ECS task of a failed run, the CodeBuild build of a failed build).
 */
record StepError(String error, String cause, boolean timedOutFlag) {
    static final String TIMEOUT = "States.Timeout";

    static Optional<StepError> from(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new StepError(AwsJson.text(node, "Error").orElse(""),
                AwsJson.text(node, "Cause").orElse(""),
                AwsJson.field(node, "timedOut").map(JsonNode::asBoolean).orElse(false)));
    }

    boolean timedOut() {
        return timedOutFlag || TIMEOUT.equals(error);
    }

    /** The Cause as a JSON object, when it is one. */
    Optional<JsonNode> causeJson() {
        return AwsJson.parseEmbedded(cause);
    }

    /** A short account for a failure message: a Lambda's "Type: message", else "Error: cause". */
    String describe() {
        Optional<JsonNode> json = causeJson();
        Optional<String> message = json.flatMap(j -> AwsJson.text(j, "errorMessage"));
        if (message.isPresent()) {
            String type = json.flatMap(j -> AwsJson.text(j, "errorType")).orElse(error);
            return AwsJson.shortened(simpleName(type) + ": " + message.get(), 500);
        }
        return AwsJson.shortened(cause.isBlank() ? error : error + ": " + cause, 500);
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
