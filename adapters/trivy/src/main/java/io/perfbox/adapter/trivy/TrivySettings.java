package io.perfbox.adapter.trivy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How Trivy is found and called. configuredPath wins (and must work); otherwise trivy on the PATH; otherwise,
 * with containerFallback, the official container image {@code containerImage}.
 */
public record TrivySettings(Optional<Path> configuredPath, boolean ignoreUnfixed, Optional<Path> cacheDir,
                            boolean skipDbUpdate, boolean offlineScan, Duration timeout, List<String> extraArgs,
                            String containerImage, boolean containerFallback) {
    /** Pinned: a scanner that changes under us changes verdicts. */
    public static final String DEFAULT_IMAGE = "aquasec/trivy:0.58.1";

    public TrivySettings {
        extraArgs = List.copyOf(extraArgs);
    }
}
