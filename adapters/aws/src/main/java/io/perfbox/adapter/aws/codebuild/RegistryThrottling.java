package io.perfbox.adapter.aws.codebuild;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a failed build failed because a registry refused the engine's pull for a rate limit or throttling: the
 * platform's failure (CodeBuild's hosts share their addresses, so Docker Hub's anonymous limit is reached by others'
 * pulls too), to be tried again, never the customer's BUILD_FAILED.
 *
 * <p>Only the engine's own final error is read: BuildKit's plain output ends with {@code ERROR: failed to solve: ...}
 * (newer CLIs: {@code ERROR: failed to build: failed to solve: ...}), possibly continued on unprefixed lines, while a
 * RUN step's output is always prefixed ({@code #5 0.352 ...}), so a step cannot print the error itself. A RUN step that
 * failed is named in that error ({@code process "/bin/sh -c ..." did not complete successfully}) with its command
 * text, which the customer writes: such an error is never a throttling, whatever the command says.
 */
public final class RegistryThrottling {
    /**
     * The registry's answers: HTTP 429 as the engine reports it, Docker Hub's error code and message ("toomanyrequests:
     * You have reached your pull rate limit. You may increase the limit by authenticating and upgrading", documented on
     * docs.docker.com/docker-hub/usage/ and its download rate limit page), and ECR's ThrottlingException (Amazon ECR
     * API Reference, Common Errors: "The request was denied due to request throttling").
     */
    static final List<String> MARKERS = List.of("429 too many requests", "toomanyrequests", "you have reached your pull rate limit",
            "you have reached your unauthenticated pull rate limit", "throttlingexception");
    private static final String FINAL_ERROR = "ERROR: failed to ";
    private static final String RUN_STEP = "did not complete successfully";

    private RegistryThrottling() {
    }

    /** The engine's final error when it says a registry throttled the pull, else empty. */
    public static Optional<String> in(String buildLog) {
        if (buildLog == null || buildLog.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = buildLog.lines().toList();
        int start = -1;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(FINAL_ERROR)) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return Optional.empty();
        }
        // The error and its continuation lines, up to perfbox's own next line or a prefixed step line.
        StringBuilder error = new StringBuilder(lines.get(start));
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("[perfbox]") || line.startsWith("#") || line.isBlank()) {
                break;
            }
            error.append(' ').append(line.strip());
        }
        String text = error.toString();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains(RUN_STEP) || lower.contains("process \"")) {
            return Optional.empty();
        }
        return MARKERS.stream().anyMatch(lower::contains)
                ? Optional.of(text.length() > 500 ? text.substring(0, 497) + "..." : text)
                : Optional.empty();
    }
}
