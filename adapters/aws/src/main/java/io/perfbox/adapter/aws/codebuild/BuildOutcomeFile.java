package io.perfbox.adapter.aws.codebuild;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJson;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * build-outcome.json, which the build step writes last, always:
 * {"outcome":"BUILT"|"INVALID_DOCKERFILE"|"BUILD_FAILED"|"BUILD_TIMEOUT"|"IMAGE_TOO_LARGE"|"SCAN_FAILED","reason":"...","imageUri":"...","pushed":bool,
 * "trivyVersion":"...","imageId":"sha256:...","imageDigest":"sha256:...","baseImages":[{"name":"...","digest":"sha256:..."}],
 * "trivyDbUpdatedAt":"..."}. imageUri only with BUILT; pushed=false with BUILT means the scan gate held the image back.
 * imageId (the built image's id), imageDigest (the pushed image's digest in the registry: what ECS pulls), baseImages
 * (each FROM image the engine resolved, with the digest it resolved it to) and trivyDbUpdatedAt (the vulnerability DB's
 * time) are for the job's run receipt, null or empty when the build did not get that far; the receipt drops a value
 * that is not what it should be (RunReceipt).
 */
public record BuildOutcomeFile(Outcome outcome, String reason, String imageUri, boolean pushed, String trivyVersion,
                               String imageId, String trivyDbUpdatedAt, String imageDigest,
                               List<RunReceipt.BaseImage> baseImages) {
    /** At most this many base images are read (RunReceipt keeps fewer). */
    static final int MAX_BASE_IMAGES = 64;

    /** BuildKit's words for a Dockerfile it could not parse: the local builder tells the same case apart by them. */
    static final String PARSE_ERROR = "dockerfile parse error";

    /** INVALID_DOCKERFILE: refused by the Dockerfile policy (DockerfileCheck) before the engine saw it. */
    public enum Outcome { BUILT, INVALID_DOCKERFILE, BUILD_FAILED, BUILD_TIMEOUT, IMAGE_TOO_LARGE, SCAN_FAILED }

    public BuildOutcomeFile {
        baseImages = baseImages == null ? List.of() : List.copyOf(baseImages);
        if (outcome == Outcome.BUILT && (imageUri == null || imageUri.isBlank())) {
            throw new IllegalArgumentException("build-outcome.json says BUILT but names no imageUri");
        }
    }

    /** Parses the file; IllegalArgumentException says what is wrong with it. */
    public static BuildOutcomeFile parse(byte[] json) {
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
                AwsJson.text(root, "trivyVersion").orElse(null),
                AwsJson.text(root, "imageId").orElse(null),
                AwsJson.text(root, "trivyDbUpdatedAt").orElse(null),
                AwsJson.text(root, "imageDigest").orElse(null),
                baseImages(root));
    }

    /** baseImages: an array of {name, digest} objects; anything else in it is skipped (never an error). */
    private static List<RunReceipt.BaseImage> baseImages(JsonNode root) {
        List<RunReceipt.BaseImage> bases = new ArrayList<>();
        AwsJson.field(root, "baseImages").filter(JsonNode::isArray).ifPresent(array -> {
            for (JsonNode b : array) {
                if (b.isObject() && bases.size() < MAX_BASE_IMAGES) {
                    bases.add(new RunReceipt.BaseImage(AwsJson.text(b, "name").orElse(null),
                            AwsJson.text(b, "digest").orElse(null)));
                }
            }
        });
        return bases;
    }

    /**
     * The image's digest for the receipt: the pushed image's registry digest (the one ECS runs) when the build pushed
     * it, else the image's id.
     */
    public String receiptImageDigest() {
        return imageDigest != null && !imageDigest.isBlank() ? imageDigest : imageId;
    }

    /**
     * What the build came to, as every runtime's builder reports it, with the build's log. SCAN_FAILED is an image
     * that built and whose scan in the build failed: Built here, and {@link #scanFailure()} says why.
     */
    public ImageBuilder.BuildOutcome toBuildOutcome(CapturedLog log) {
        return switch (outcome) {
            case BUILT -> new ImageBuilder.Built(imageUri, log, receiptImageDigest(), baseImages);
            case SCAN_FAILED -> new ImageBuilder.Built(imageUri == null ? "" : imageUri, log, receiptImageDigest(),
                    baseImages);
            case INVALID_DOCKERFILE -> new ImageBuilder.InvalidDockerfile(orElse(reason, "the Dockerfile was refused"), log);
            case BUILD_FAILED -> {
                String why = orElse(reason, "the build step gave no reason");
                yield why.contains(PARSE_ERROR) ? new ImageBuilder.InvalidDockerfile(why, log)
                        : new ImageBuilder.BuildFailed(why, log);
            }
            case BUILD_TIMEOUT -> new ImageBuilder.BuildTimedOut(null, reason, log);
            case IMAGE_TOO_LARGE -> ImageBuilder.ImageTooLarge.reported(reason, log);
        };
    }

    /** Why the build's own scan left no report (SCAN_FAILED only). */
    public Optional<String> scanFailure() {
        return outcome == Outcome.SCAN_FAILED ? Optional.of(orElse(reason, "Trivy produced no report")) : Optional.empty();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
