package io.perfbox.runtime.aws.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJson;
import java.util.Map;
import java.util.Optional;

/**
 * Which attempt of a retried step (the build, the run) failed, and the state machine's retry policy for it, from the
 * state's {@code "retry": {"attempt", "maxAttempts", "backoffSeconds"}}. Without it the attempt is the only one.
 * Only a platform failure is retried; the wait doubles with each attempt.
 */
record Attempts(int attempt, int maxAttempts, int backoffSeconds) {
    static final Attempts ONLY = new Attempts(1, 1, 0);
    /** Longest wait between two attempts, whatever the policy asks. */
    static final int MAX_WAIT_SECONDS = 3600;

    Attempts {
        if (attempt < 1 || maxAttempts < 1 || backoffSeconds < 0) {
            throw new IllegalArgumentException("retry needs attempt >= 1, maxAttempts >= 1 and backoffSeconds >= 0, not "
                    + attempt + ", " + maxAttempts + ", " + backoffSeconds);
        }
    }

    static Attempts from(Optional<JsonNode> retry) {
        if (retry.isEmpty() || !retry.get().isObject()) {
            return ONLY;
        }
        JsonNode r = retry.get();
        return new Attempts(number(r, "attempt"), number(r, "maxAttempts"), number(r, "backoffSeconds"));
    }

    private static int number(JsonNode retry, String field) {
        return AwsJson.field(retry, field).filter(JsonNode::canConvertToInt).map(JsonNode::asInt)
                .orElseThrow(() -> new IllegalArgumentException("the step input's retry has no number \"" + field + "\""));
    }

    boolean anotherLeft() {
        return attempt < maxAttempts;
    }

    /** The wait before the next attempt: backoffSeconds after the first, doubling after each one since. */
    int waitSeconds() {
        long wait = (long) backoffSeconds << Math.min(attempt - 1, 20);
        return (int) Math.min(wait, MAX_WAIT_SECONDS);
    }

    /** The state's answer when the step is to be tried again. */
    Map<String, Object> retryOutput() {
        Map<String, Object> out = WorkflowStep.output("recorded", false, "retry", true);
        out.put("waitSeconds", waitSeconds());
        return out;
    }
}
