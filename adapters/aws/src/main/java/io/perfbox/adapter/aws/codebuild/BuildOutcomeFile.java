package io.perfbox.adapter.aws.codebuild;

import io.perfbox.adapter.aws.AwsJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Locale;

/**
 * build-outcome.json, which the build step writes last, always:
 * {"outcome":"BUILT"|"BUILD_FAILED"|"BUILD_TIMEOUT"|"IMAGE_TOO_LARGE"|"SCAN_FAILED","reason":"...","imageUri":"...","pushed":bool,
 * "trivyVersion":"..."}. imageUri only with BUILT; pushed=false with BUILT means the scan gate held the image back.
 */
record BuildOutcomeFile(Outcome outcome, String reason, String imageUri, boolean pushed, String trivyVersion) {

    enum Outcome { BUILT, BUILD_FAILED, BUILD_TIMEOUT, IMAGE_TOO_LARGE, SCAN_FAILED }

    BuildOutcomeFile {
        if (outcome == Outcome.BUILT && (imageUri == null || imageUri.isBlank())) {
            throw new IllegalArgumentException("build-outcome.json says BUILT but names no imageUri");
        }
    }

    /** Parses the file; IllegalArgumentException says what is wrong with it. */
    static BuildOutcomeFile parse(byte[] json) {
        JsonNode root;
        try {
            root = AwsJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("build-outcome.json is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("build-outcome.json is not a JSON object");
        }
        String raw = AwsJson.text(root, "outcome")
                .orElseThrow(() -> new IllegalArgumentException("build-outcome.json has no outcome"));
        Outcome outcome;
        try {
            outcome = Outcome.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("build-outcome.json has an unknown outcome '" + AwsJson.shortened(raw, 40) + "'");
        }
        return new BuildOutcomeFile(outcome,
                AwsJson.text(root, "reason").map(r -> AwsJson.shortened(r, 2000)).orElse(""),
                AwsJson.text(root, "imageUri").orElse(null),
                AwsJson.field(root, "pushed").map(JsonNode::asBoolean).orElse(false),
                AwsJson.text(root, "trivyVersion").orElse(null));
    }
}
