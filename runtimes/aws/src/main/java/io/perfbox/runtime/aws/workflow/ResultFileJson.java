package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.port.JobWorkspace;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result file as it travels from the workspace Lambda to the record-run step:
 * {"result":"MISSING"|"NOT_REGULAR_FILE"|"TOO_LARGE"|"CONTENT","kind":...,"limit":...,"contentBase64":...}.
 */
final class ResultFileJson {
    private ResultFileJson() {
    }

    static Map<String, Object> toJson(JobWorkspace.ResultFile file) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (file) {
            case JobWorkspace.Missing m -> out.put("result", "MISSING");
            case JobWorkspace.NotRegularFile n -> {
                out.put("result", "NOT_REGULAR_FILE");
                out.put("kind", n.kind());
            }
            case JobWorkspace.TooLarge t -> {
                out.put("result", "TOO_LARGE");
                out.put("limit", t.limit());
            }
            case JobWorkspace.Content c -> {
                out.put("result", "CONTENT");
                out.put("contentBase64", Base64.getEncoder().encodeToString(c.bytes()));
            }
        }
        return out;
    }

    /**
     * IllegalArgumentException for anything that is not such an object. A Lambda invoke's whole answer
     * ({"Payload": {...}, "StatusCode": 200}) is accepted too, in case the state machine passes it on unfiltered.
     */
    static JobWorkspace.ResultFile fromJson(JsonNode answer) {
        JsonNode node = AwsJson.field(answer, "Payload").filter(JsonNode::isObject).orElse(answer);
        String result = AwsJson.text(node, "result")
                .orElseThrow(() -> new IllegalArgumentException("the result of read-result has no \"result\""));
        return switch (result) {
            case "MISSING" -> new JobWorkspace.Missing();
            case "NOT_REGULAR_FILE" -> new JobWorkspace.NotRegularFile(
                    AwsJson.text(node, "kind").orElse("file that is not a regular file"));
            case "TOO_LARGE" -> new JobWorkspace.TooLarge(
                    AwsJson.field(node, "limit").map(JsonNode::asLong).orElse((long) PerformanceResult.MAX_BYTES));
            case "CONTENT" -> {
                byte[] bytes = Base64.getDecoder().decode(AwsJson.text(node, "contentBase64").orElse(""));
                yield bytes.length > PerformanceResult.MAX_BYTES
                        ? new JobWorkspace.TooLarge(PerformanceResult.MAX_BYTES)
                        : new JobWorkspace.Content(bytes);
            }
            default -> throw new IllegalArgumentException("unknown read-result outcome '" + AwsJson.shortened(result, 40) + "'");
        };
    }
}
