package io.perfbox.adapter.trivy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How Trivy is found and called. configuredPath wins (and must work); otherwise trivy on the PATH; otherwise the
 * pinned Trivy that {@code tools/install-trivy} built ({@code installedPath}, when it is there); otherwise, with
 * containerFallback, the official container image {@code containerImage}.
 */
public record TrivySettings(Optional<Path> configuredPath, boolean ignoreUnfixed, Optional<Path> cacheDir,
                            boolean skipDbUpdate, boolean offlineScan, Duration timeout, List<String> extraArgs,
                            String containerImage, boolean containerFallback, Optional<Path> installedPath) {
    /** Pinned (a scanner that changes under us changes verdicts), in tools/trivy.version alone. */
    public static final String PINNED_VERSION = readPinnedVersion();
    public static final String DEFAULT_IMAGE = "aquasec/trivy:" + PINNED_VERSION;

    public TrivySettings {
        extraArgs = List.copyOf(extraArgs);
        installedPath = installedPath == null ? Optional.empty() : installedPath;
    }

    /** Without looking for the Trivy of tools/install-trivy. */
    public TrivySettings(Optional<Path> configuredPath, boolean ignoreUnfixed, Optional<Path> cacheDir,
                         boolean skipDbUpdate, boolean offlineScan, Duration timeout, List<String> extraArgs,
                         String containerImage, boolean containerFallback) {
        this(configuredPath, ignoreUnfixed, cacheDir, skipDbUpdate, offlineScan, timeout, extraArgs, containerImage,
                containerFallback, Optional.empty());
    }

    /**
     * Where {@code tools/install-trivy} puts the pinned Trivy it builds: {@code CACHE/trivy-VERSION/trivy}, CACHE being
     * {@code $PERFBOX_CACHE} or {@code ~/.cache/perfbox} (the script's own rule; {@code ./perfbox test} runs it).
     */
    public static Path installedBy(Path cache) {
        return cache.resolve("trivy-" + PINNED_VERSION).resolve("trivy");
    }

    private static String readPinnedVersion() {
        try (var in = TrivySettings.class.getResourceAsStream("trivy.version")) {
            if (in == null) {
                throw new IllegalStateException("trivy.version is missing from the class path");
            }
            String version = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!version.matches("\\d+\\.\\d+\\.\\d+")) {
                throw new IllegalStateException("trivy.version holds '" + version + "', not a version");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
