package io.perfbox.adapter.aws.codebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.RunReceipt;
import io.perfbox.core.lifecycle.StepOutcomes;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuildOutcomeFileTest {
    private static final CapturedLog LOG = new CapturedLog("#1 [1/2] FROM debian:bookworm", false);
    private static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/perfbox-jobs:job-1";

    private static BuildOutcomeFile parse(String json) {
        return BuildOutcomeFile.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String failureMessage(String json) {
        return StepOutcomes.failureOf(parse(json).toBuildOutcome(LOG)).orElseThrow().message();
    }

    @Test
    void builtImageIsBuiltWithItsUriAndTheLog() {
        BuildOutcomeFile file = parse("""
                {"outcome":"BUILT","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1"}""".formatted(IMAGE));

        assertThat(file.toBuildOutcome(LOG)).isEqualTo(new ImageBuilder.Built(IMAGE, LOG));
        assertThat(file.scanFailure()).isEmpty();
        assertThat(file.pushed()).isTrue();
        assertThat(file.trivyVersion()).isEqualTo("0.58.1");
    }

    @Test
    void builtImagesIdAndTheDbsTimeAreReadForTheRunReceipt() {
        String id = "sha256:" + "a".repeat(64);
        BuildOutcomeFile file = parse("""
                {"outcome":"BUILT","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1","imageId":"%s",
                 "trivyDbUpdatedAt":"2026-12-07T06:12:03Z"}""".formatted(IMAGE, id));

        assertThat(file.toBuildOutcome(LOG)).isEqualTo(new ImageBuilder.Built(IMAGE, LOG, id, List.of()));
        assertThat(((ImageBuilder.Built) file.toBuildOutcome(LOG)).receipt().imageDigest()).isEqualTo(id);
        assertThat(file.trivyDbUpdatedAt()).isEqualTo("2026-12-07T06:12:03Z");
        // An id that is no sha256 digest (a stub's, a bad build's) is left out of the receipt, never an error.
        assertThat(((ImageBuilder.Built) parse("""
                {"outcome":"BUILT","imageUri":"%s","pushed":true,"imageId":"1000"}""".formatted(IMAGE))
                .toBuildOutcome(LOG)).receipt().imageDigest()).isNull();
    }

    @Test
    void pushedImagesRegistryDigestAndTheResolvedBaseImagesAreTheReceiptsBuildPart() {
        String id = "sha256:" + "a".repeat(64);
        String pushed = "sha256:" + "b".repeat(64);
        String base = "sha256:" + "c".repeat(64);
        BuildOutcomeFile file = parse("""
                {"outcome":"BUILT","imageUri":"%s","pushed":true,"trivyVersion":"0.58.1","imageId":"%s",
                 "imageDigest":"%s","baseImages":[{"name":"docker.io/library/debian:bookworm","digest":"%s"},
                 {"name":"docker.io/library/alpine:3.19"},"not an object",{"digest":"not a digest"}]}"""
                .formatted(IMAGE, id, pushed, base));

        RunReceipt receipt = ((ImageBuilder.Built) file.toBuildOutcome(LOG)).receipt();
        assertThat(receipt.imageDigest()).as("what ECS pulls, not the local id").isEqualTo(pushed);
        assertThat(receipt.baseImages()).containsExactly(
                new RunReceipt.BaseImage("docker.io/library/debian:bookworm", base),
                new RunReceipt.BaseImage("docker.io/library/alpine:3.19", null));
    }

    @Test
    void imageThatWasNotPushedIsNamedByItsIdInTheReceipt() {
        String id = "sha256:" + "a".repeat(64);
        BuildOutcomeFile file = parse("""
                {"outcome":"BUILT","imageUri":"%s","pushed":false,"imageId":"%s"}""".formatted(IMAGE, id));

        assertThat(((ImageBuilder.Built) file.toBuildOutcome(LOG)).receipt().imageDigest()).isEqualTo(id);
        assertThat(file.baseImages()).isEmpty();
    }

    @Test
    void dockerfileParseErrorIsAnInvalidDockerfile() {
        String json = """
                {"outcome":"BUILD_FAILED","reason":"dockerfile parse error on line 1: unknown instruction: FORM"}""";

        assertThat(parse(json).toBuildOutcome(LOG)).isEqualTo(new ImageBuilder.InvalidDockerfile(
                "dockerfile parse error on line 1: unknown instruction: FORM", LOG));
        assertThat(failureMessage(json))
                .isEqualTo("The Dockerfile is not valid: dockerfile parse error on line 1: unknown instruction: FORM");
    }

    @Test
    void otherBuildErrorIsABuildFailure() {
        String json = """
                {"outcome":"BUILD_FAILED","reason":"process \\"/bin/sh -c make\\" did not complete successfully: exit code: 2"}""";

        assertThat(failureMessage(json)).isEqualTo(
                "The image did not build: process \"/bin/sh -c make\" did not complete successfully: exit code: 2");
    }

    @Test
    void buildFailureWithoutAReasonSaysSo() {
        assertThat(failureMessage("{\"outcome\":\"BUILD_FAILED\"}"))
                .isEqualTo("The image did not build: the build step gave no reason");
    }

    @Test
    void buildTimeoutKeepsTheBuildsWordsAndNoLength() {
        String json = "{\"outcome\":\"BUILD_TIMEOUT\",\"reason\":\"docker build ran longer than 900 s\"}";

        assertThat(parse(json).toBuildOutcome(LOG))
                .isEqualTo(new ImageBuilder.BuildTimedOut(null, "docker build ran longer than 900 s", LOG));
        assertThat(failureMessage(json))
                .isEqualTo("The build did not finish within its time limit: docker build ran longer than 900 s");
        assertThat(failureMessage("{\"outcome\":\"BUILD_TIMEOUT\"}"))
                .isEqualTo("The build did not finish within its time limit");
    }

    @Test
    void imageTooLargeIsReportedInTheBuildsWords() {
        String json = "{\"outcome\":\"IMAGE_TOO_LARGE\",\"reason\":\"the image is 12.0 GiB, over the limit of 10.0 GiB\"}";

        assertThat(parse(json).toBuildOutcome(LOG))
                .isEqualTo(ImageBuilder.ImageTooLarge.reported("the image is 12.0 GiB, over the limit of 10.0 GiB", LOG));
        assertThat(failureMessage(json))
                .isEqualTo("The image is too large to scan or run: the image is 12.0 GiB, over the limit of 10.0 GiB");
        assertThat(failureMessage("{\"outcome\":\"IMAGE_TOO_LARGE\"}"))
                .isEqualTo("The image is too large to scan or run: over the size limit");
    }

    @Test
    void scanFailedIsABuiltImageWhoseScanFailed() {
        BuildOutcomeFile file = parse("{\"outcome\":\"SCAN_FAILED\",\"reason\":\"trivy: DB download failed\"}");

        assertThat(file.toBuildOutcome(LOG)).isInstanceOf(ImageBuilder.Built.class);
        assertThat(file.scanFailure()).contains("trivy: DB download failed");
        assertThat(parse("{\"outcome\":\"SCAN_FAILED\"}").scanFailure()).contains("Trivy produced no report");
    }

    @Test
    void outcomeIsReadWithoutRegardToCase() {
        assertThat(parse("{\"outcome\":\" built \",\"imageUri\":\"" + IMAGE + "\"}").outcome())
                .isEqualTo(BuildOutcomeFile.Outcome.BUILT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1]", "{}", "{\"outcome\":\"EXPLODED\"}", "{\"outcome\":\"BUILT\"}",
            "{\"outcome\":\"BUILT\",\"outcome\":\"BUILT\",\"imageUri\":\"x\"}"})
    void fileThatIsNotWhatTheBuildWritesIsRefused(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("build-outcome.json");
    }

    @Test
    void everyOutcomeMapsToTheFailureCodeTheLocalBuilderWouldGive() {
        assertThat(StepOutcomes.failureOf(parse("{\"outcome\":\"BUILD_TIMEOUT\"}").toBuildOutcome(LOG)).orElseThrow()
                .code()).isEqualTo(FailureCode.BUILD_TIMEOUT);
        assertThat(StepOutcomes.failureOf(parse("{\"outcome\":\"IMAGE_TOO_LARGE\"}").toBuildOutcome(LOG)).orElseThrow()
                .code()).isEqualTo(FailureCode.IMAGE_TOO_LARGE);
    }
}
