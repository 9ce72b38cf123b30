package io.perfbox.adapter.trivy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import io.perfbox.core.port.VulnerabilityScanner.ScannerUnavailableException;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Trivy (pinned build, see {@link RealTrivy}) scanning images built on the real engine, offline,
 * against perfbox's fixture DB: what it reports, what ignore-unfixed drops, how a broken DB fails.
 */
@RequiresDocker
class TrivyScannerIT {
    private static final DockerCli DOCKER = new DockerCli("docker");
    private static final String WITH_HELLO = "perfbox-trivy-it-" + UUID.randomUUID() + ":latest";
    private static final String PLAIN = "perfbox-trivy-it-" + UUID.randomUUID() + ":latest";

    @BeforeAll
    static void buildImages() throws Exception {
        build(WITH_HELLO, RealTrivy.INSTALL_HELLO);
        build(PLAIN, "");
    }

    private static void build(String tag, String lines) throws Exception {
        ProcessRunner.Result r = DOCKER.command("build", "-q", "-t", tag, "-").env("DOCKER_BUILDKIT", "0")
                .stdin(("FROM debian:bookworm\n" + lines + "CMD true\n").getBytes(StandardCharsets.UTF_8))
                .timeout(Duration.ofMinutes(5)).run();
        assertThat(r.succeeded()).as(r.errorText()).isTrue();
    }

    @AfterAll
    static void removeImages() {
        DOCKER.quickUninterruptibly("image", "rm", "-f", WITH_HELLO, PLAIN);
    }

    private static TrivySettings settings(Optional<Path> path, boolean ignoreUnfixed, boolean fallback) {
        return settings(path, ignoreUnfixed, fallback, RealTrivy.cacheDir());
    }

    private static TrivySettings settings(Optional<Path> path, boolean ignoreUnfixed, boolean fallback, Path cacheDir) {
        return new TrivySettings(path, ignoreUnfixed, Optional.of(cacheDir), true, true, Duration.ofMinutes(3),
                List.of(), TrivySettings.DEFAULT_IMAGE, fallback);
    }

    private static Optional<Path> trivy() {
        return Optional.of(RealTrivy.executable());
    }

    @Test
    void theDockerfileChecksFindDs002WithoutAUserAndNotWithOneBesideTheImagesFindings() throws Exception {
        TrivyScanner scanner = new TrivyScanner(settings(trivy(), false, false), DOCKER);

        ScanReport asRoot = scanner.scan(PLAIN, new Dockerfile("FROM debian:bookworm\nCMD true\n"));
        assertThat(asRoot.findings()).extracting(f -> f.vulnerabilityId()).contains(RealTrivy.BASE_LOW);
        assertThat(asRoot.misconfigurations()).extracting(m -> m.id() + " " + m.severity())
                .contains("DS002 HIGH", "DS026 LOW");

        var withUser = scanner.misconfigurations(
                new Dockerfile("FROM debian:bookworm\nUSER 1000\nCMD true\n"));
        assertThat(withUser).extracting(m -> m.id()).doesNotContain("DS002").contains("DS026");
    }

    @Test
    void theTrivyTheTestsRunIsThePinnedVersion() throws Exception {
        ScanReport report = new TrivyScanner(settings(trivy(), false, false), DOCKER).scan(PLAIN);
        assertThat(report.scannerVersion()).isEqualTo(TrivySettings.PINNED_VERSION);
    }

    @Test
    void aReportNamesTheTimesOfTheDatabaseItWasScannedWith() throws Exception {
        ScanReport report = new TrivyScanner(settings(trivy(), false, false), DOCKER).scan(PLAIN);
        // The fixture's metadata.json, as the cache holds it (trivy version --format json reads the same).
        JsonNode meta = new ObjectMapper()
                .readTree(RealTrivy.cacheDir().resolve("db/metadata.json").toFile());
        assertThat(report.dbUpdatedAt()).isEqualTo(meta.get("UpdatedAt").asText()).isNotBlank();
        assertThat(report.dbDownloadedAt()).isEqualTo(meta.get("DownloadedAt").asText());
        assertThat(report.receipt().scanner().version()).isEqualTo(TrivySettings.PINNED_VERSION);
    }

    @Test
    void reportsTheAdvisoriesThatMatchTheImagesPackagesAndVersions() throws Exception {
        ScanReport report = new TrivyScanner(settings(trivy(), false, false), DOCKER).scan(WITH_HELLO);
        assertThat(report.findings()).extracting(Finding::vulnerabilityId)
                .contains(RealTrivy.HELLO_CRITICAL, RealTrivy.BASE_MEDIUM_UNFIXED, RealTrivy.BASE_LOW)
                .as("glibc in bookworm is newer than the advisory's fixed version")
                .doesNotContain(RealTrivy.BASE_HIGH_ALREADY_FIXED);
        Finding hello = report.findings().stream()
                .filter(f -> f.vulnerabilityId().equals(RealTrivy.HELLO_CRITICAL)).findFirst().orElseThrow();
        assertThat(hello.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(hello.packageName()).isEqualTo("hello");
        assertThat(hello.fixedVersion()).isEqualTo("99:2.10-99");
    }

    @Test
    void anImageWithoutThePackageHasNoFindingForIt() throws Exception {
        ScanReport report = new TrivyScanner(settings(trivy(), false, false), DOCKER).scan(PLAIN);
        assertThat(report.findings()).extracting(Finding::vulnerabilityId)
                .contains(RealTrivy.BASE_LOW, RealTrivy.BASE_MEDIUM_UNFIXED)
                .doesNotContain(RealTrivy.HELLO_CRITICAL);
    }

    @Test
    void ignoreUnfixedDropsFindingsWithoutAFixedVersion() throws Exception {
        ScanReport report = new TrivyScanner(settings(trivy(), true, false), DOCKER).scan(WITH_HELLO);
        assertThat(report.findings()).extracting(Finding::vulnerabilityId).containsExactly(RealTrivy.HELLO_CRITICAL);
    }

    @Test
    void trivyWithoutADbFailsTheScanWithItsReason(@TempDir Path emptyCache) {
        TrivyScanner scanner = new TrivyScanner(settings(trivy(), false, false, emptyCache), DOCKER);
        assertThatThrownBy(() -> scanner.scan(PLAIN))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("Trivy exited with code");
    }

    @Test
    void configuredPathThatDoesNotExistIsUnavailableNotSkipped() {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.of(Path.of("/nonexistent/trivy")), false, true), DOCKER);
        assertThatThrownBy(() -> scanner.scan(PLAIN)).isInstanceOf(ScannerUnavailableException.class)
                .hasMessageContaining("/nonexistent/trivy");
    }

    @Test
    void nothingOnThePathAndNoImageFallbackIsUnavailable(@TempDir Path empty) {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, false), DOCKER, empty.toString());
        assertThatThrownBy(() -> scanner.scan(PLAIN)).isInstanceOf(ScannerUnavailableException.class);
        assertThat(scanner.describe()).startsWith("NONE");
    }

    @Test
    void trivyOnThePathIsFoundBeforeTheContainerImage(@TempDir Path bin) throws Exception {
        Path trivy = Files.createSymbolicLink(bin.resolve("trivy"), RealTrivy.executable());
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, true), DOCKER, "/nonexistent:" + bin);
        assertThat(scanner.describe()).isEqualTo(trivy.toString());
        assertThat(scanner.scan(PLAIN).findings()).extracting(Finding::vulnerabilityId).contains(RealTrivy.BASE_LOW);
    }

    @Test
    void theRealTrivyIsCheckedReadyBeforeTheFirstJobWithThePinnedVersion() throws Exception {
        TrivyScanner.Readiness readiness = new TrivyScanner(settings(trivy(), false, false), DOCKER).check();
        assertThat(readiness.ready()).as(readiness.description()).isTrue();
        assertThat(readiness.description()).contains("Trivy " + TrivySettings.PINNED_VERSION);
    }

    @Test
    void withoutTrivyTheContainerImageIsTheLastResort(@TempDir Path empty) {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, true), DOCKER, empty.toString());
        assertThat(scanner.describe()).contains("docker run --rm").contains(TrivySettings.DEFAULT_IMAGE);
    }
}
