package io.perfbox.local.trivy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.VulnerabilityScanner.ScanFailedException;
import io.perfbox.core.port.VulnerabilityScanner.ScannerUnavailableException;
import io.perfbox.local.docker.DockerCli;
import io.perfbox.local.process.ProcessRunner;
import io.perfbox.local.testing.RequiresDocker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trivy process call and report parsing, through the test stand-in (it prints Trivy-format JSON from image
 * labels; it is not a scanner) against images built on the real engine.
 */
@RequiresDocker
class TrivyScannerIT {
    private static final Path STANDIN = Path.of("src/test/resources/trivy-standin/trivy").toAbsolutePath();
    private static final DockerCli DOCKER = new DockerCli("docker");
    private static final String VULNERABLE = "perfbox-trivy-it-" + UUID.randomUUID() + ":latest";
    private static final String BROKEN_DB = "perfbox-trivy-it-" + UUID.randomUUID() + ":latest";

    @BeforeAll
    static void buildImages() throws Exception {
        build(VULNERABLE, "LABEL perfbox.test.findings=\"CVE-2099-1:CRITICAL:openssl:3.0.1:3.0.2;CVE-2099-2:MEDIUM:bash:5.2:\"");
        build(BROKEN_DB, "LABEL perfbox.test.trivy-exit=1");
    }

    private static void build(String tag, String label) throws Exception {
        ProcessRunner.Result r = DOCKER.command("build", "-q", "-t", tag, "-").env("DOCKER_BUILDKIT", "0")
                .stdin(("FROM debian:bookworm\n" + label + "\nCMD true\n").getBytes(StandardCharsets.UTF_8))
                .timeout(Duration.ofMinutes(2)).run();
        assertThat(r.succeeded()).as(r.errorText()).isTrue();
    }

    @AfterAll
    static void removeImages() {
        DOCKER.quickUninterruptibly("image", "rm", "-f", VULNERABLE, BROKEN_DB);
    }

    private static TrivySettings settings(Optional<Path> path, boolean ignoreUnfixed, boolean fallback) {
        return new TrivySettings(path, ignoreUnfixed, Optional.empty(), false, false, Duration.ofMinutes(1), List.of(),
                TrivySettings.DEFAULT_IMAGE, fallback);
    }

    @Test
    void findingsOfTheImageAreReported() throws Exception {
        ScanReport report = new TrivyScanner(settings(Optional.of(STANDIN), false, false), DOCKER).scan(VULNERABLE);
        assertThat(report.findings()).extracting(Finding::vulnerabilityId).containsExactly("CVE-2099-1", "CVE-2099-2");
    }

    @Test
    void ignoreUnfixedIsPassedToTrivy() throws Exception {
        ScanReport report = new TrivyScanner(settings(Optional.of(STANDIN), true, false), DOCKER).scan(VULNERABLE);
        assertThat(report.findings()).extracting(Finding::vulnerabilityId).containsExactly("CVE-2099-1");
    }

    @Test
    void failingTrivyFailsTheScanWithItsReason() {
        assertThatThrownBy(() -> new TrivyScanner(settings(Optional.of(STANDIN), false, false), DOCKER).scan(BROKEN_DB))
                .isInstanceOf(ScanFailedException.class).hasMessageContaining("FATAL").hasMessageContaining("DB");
    }

    @Test
    void configuredPathThatDoesNotExistIsUnavailableNotSkipped() {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.of(Path.of("/nonexistent/trivy")), false, true), DOCKER);
        assertThatThrownBy(() -> scanner.scan(VULNERABLE)).isInstanceOf(ScannerUnavailableException.class)
                .hasMessageContaining("/nonexistent/trivy");
    }

    @Test
    void nothingOnThePathAndNoImageFallbackIsUnavailable(@TempDir Path empty) {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, false), DOCKER, empty.toString());
        assertThatThrownBy(() -> scanner.scan(VULNERABLE)).isInstanceOf(ScannerUnavailableException.class);
        assertThat(scanner.describe()).startsWith("NONE");
    }

    @Test
    void trivyOnThePathIsFoundBeforeTheContainerImage(@TempDir Path bin) throws Exception {
        Path trivy = bin.resolve("trivy");
        Files.copy(STANDIN, trivy);
        Files.setPosixFilePermissions(trivy, PosixFilePermissions.fromString("rwxr-xr-x"));
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, true), DOCKER, "/nonexistent:" + bin);
        assertThat(scanner.describe()).isEqualTo(trivy.toString());
        assertThat(scanner.scan(VULNERABLE).findings()).hasSize(2);
    }

    @Test
    void withoutTrivyTheContainerImageIsTheLastResort(@TempDir Path empty) {
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), false, true), DOCKER, empty.toString());
        assertThat(scanner.describe()).contains("docker run --rm").contains(TrivySettings.DEFAULT_IMAGE);
    }
}
