package io.perfbox.infra;

import software.constructs.Node;

/** Deployment settings from CDK context, checked when the app starts (a bad value fails the synth with a message). */
public record StackConfig(int artifactRetentionDays) {
    public StackConfig {
        if (artifactRetentionDays < 1 || artifactRetentionDays > 3650) {
            throw new IllegalArgumentException("perfbox:artifactRetentionDays must be from 1 to 3650, not " + artifactRetentionDays);
        }
    }

    static StackConfig fromContext(Node node) {
        return new StackConfig(intValue(node, "perfbox:artifactRetentionDays", 30));
    }

    private static int intValue(Node node, String key, int fallback) {
        Object raw = node.tryGetContext(key);
        if (raw == null) {
            return fallback;
        }
        try {
            return raw instanceof Number n ? n.intValue() : Integer.parseInt(raw.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + raw + "'");
        }
    }
}
