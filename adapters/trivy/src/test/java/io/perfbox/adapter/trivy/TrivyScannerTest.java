package io.perfbox.adapter.trivy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.port.VulnerabilityScanner;
import io.perfbox.core.port.VulnerabilityScanner.ScannerUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner checked before the first job, and what a job is told when none can start: stand-in executables. */
class TrivyScannerTest {

    private static Path script(Path dir, String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static TrivySettings settings(Optional<Path> trivy, boolean fallback) {
        return new TrivySettings(trivy, false, Optional.empty(), true, true, Duration.ofMinutes(1), List.of(),
                TrivySettings.DEFAULT_IMAGE, fallback);
    }

    /** A docker CLI whose image is missing and whose `run` fails the way docker does when it cannot pull. */
    private static DockerCli dockerWithoutTheImage(Path dir) throws Exception {
        return new DockerCli(script(dir, "docker", """
                case "$1" in
                  image) echo "Error: No such image: $5" >&2; exit 1 ;;
                  run) echo "Unable to find image 'aquasec/trivy' locally" >&2
                       echo "docker: Error response from daemon: Get \\"https://registry-1.docker.io/v2/\\": dial tcp: lookup registry-1.docker.io: no such host." >&2
                       echo "See 'docker run --help'." >&2
                       echo "Run 'docker run --help' for more information" >&2
                       exit 125 ;;
                esac""").toString());
    }

    @Test
    void anExecutableThatAnswersVersionIsReadyAndNamesItsVersion(@TempDir Path dir) throws Exception {
        Path trivy = script(dir, "trivy", "echo 'Version: 0.58.1'");
        TrivyScanner.Readiness readiness = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"))
                .check();
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.description()).contains("Trivy 0.58.1").contains(trivy.toString());
    }

    @Test
    void anExecutableThatDoesNotAnswerVersionIsNotReadyAndSaysWhatToDo(@TempDir Path dir) throws Exception {
        Path trivy = script(dir, "trivy", "echo broken >&2; exit 3");
        TrivyScanner.Readiness readiness = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"))
                .check();
        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.description()).contains("does not answer trivy --version").contains("--trivy");
    }

    @Test
    void aMissingConfiguredExecutableIsNotReadyAndSaysWhatToDo(@TempDir Path dir) throws Exception {
        TrivyScanner.Readiness readiness = new TrivyScanner(settings(Optional.of(dir.resolve("nope")), true),
                new DockerCli("docker")).check();
        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.description()).contains("is not an executable file").contains("tools/install-trivy");
    }

    @Test
    void theContainerImageNotPresentLocallyIsNotReadyAndSaysToPullItOrInstallTrivy(@TempDir Path dir) throws Exception {
        Path emptyPath = Files.createDirectory(dir.resolve("bin"));
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), true), dockerWithoutTheImage(dir),
                emptyPath.toString());
        TrivyScanner.Readiness readiness = scanner.check();
        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.description()).contains("not present locally")
                .contains("docker pull " + TrivySettings.DEFAULT_IMAGE).contains("--trivy PATH");
    }

    @Test
    void aContainerImageThatCannotStartFailsTheScanInPlainWordsWithoutDockersCliAdvice(@TempDir Path dir)
            throws Exception {
        Path emptyPath = Files.createDirectory(dir.resolve("bin"));
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), true), dockerWithoutTheImage(dir),
                emptyPath.toString());
        assertThatThrownBy(() -> scanner.scan("perfbox-job:1"))
                .isInstanceOfSatisfying(ScannerUnavailableException.class, e -> assertThat(e.getMessage())
                        .contains("no trivy executable was given (--trivy) or found on the PATH")
                        .contains("no such host")
                        .contains("docker pull " + TrivySettings.DEFAULT_IMAGE)
                        .contains("tools/install-trivy")
                        .doesNotContain("--help").doesNotContain("docker: Error"));
    }

    private static TrivySettings settings(Optional<Path> trivy, boolean fallback, Path installed) {
        return new TrivySettings(trivy, false, Optional.empty(), true, true, Duration.ofMinutes(1), List.of(),
                TrivySettings.DEFAULT_IMAGE, fallback, Optional.of(installed));
    }

    @Test
    void theTrivyThatToolsInstallTrivyBuiltIsFoundWhenNoneIsGivenOrOnThePath(@TempDir Path dir) throws Exception {
        Path installed = TrivySettings.installedBy(dir.resolve("cache"));
        Files.createDirectories(installed.getParent());
        script(installed.getParent(), "trivy", "echo 'Version: " + TrivySettings.PINNED_VERSION + "'");
        Path emptyPath = Files.createDirectory(dir.resolve("bin"));
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), true, installed), dockerWithoutTheImage(dir),
                emptyPath.toString());
        assertThat(scanner.describe()).isEqualTo(installed.toString());
        TrivyScanner.Readiness readiness = scanner.check();
        assertThat(readiness.ready()).as(readiness.description()).isTrue();
        assertThat(readiness.description()).contains(installed.toString());
        assertThat(installed.toString()).endsWith("/trivy-" + TrivySettings.PINNED_VERSION + "/trivy");
    }

    @Test
    void trivyOnThePathComesBeforeTheInstalledOne(@TempDir Path dir) throws Exception {
        Path installed = TrivySettings.installedBy(dir.resolve("cache"));
        Files.createDirectories(installed.getParent());
        script(installed.getParent(), "trivy", "echo 'Version: 0.58.1'");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path onPath = script(bin, "trivy", "echo 'Version: 0.58.1'");
        TrivyScanner scanner = new TrivyScanner(settings(Optional.empty(), true, installed), new DockerCli("docker"),
                bin.toString());
        assertThat(scanner.describe()).isEqualTo(onPath.toString());
    }

    @Test
    void withNoTrivyAnywhereTheAdviceNamesToolsInstallTrivy(@TempDir Path dir) throws Exception {
        Path installed = TrivySettings.installedBy(dir.resolve("cache")); // never built
        Path emptyPath = Files.createDirectory(dir.resolve("bin"));
        TrivyScanner noImage = new TrivyScanner(settings(Optional.empty(), false, installed), new DockerCli("docker"),
                emptyPath.toString());
        assertThat(noImage.describe()).startsWith("NONE").contains("tools/install-trivy").contains(installed.toString());
        assertThat(noImage.check().description()).contains("tools/install-trivy");
        assertThatThrownBy(() -> noImage.scan("perfbox-job:1")).isInstanceOfSatisfying(ScannerUnavailableException.class,
                e -> assertThat(e.getMessage()).contains("tools/install-trivy").contains("--trivy PATH"));

        TrivyScanner imageMissing = new TrivyScanner(settings(Optional.empty(), true, installed),
                dockerWithoutTheImage(dir), emptyPath.toString());
        TrivyScanner.Readiness readiness = imageMissing.check();
        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.description()).contains("tools/install-trivy").contains("docker pull")
                .contains("--trivy PATH");
    }

    @Test
    void dockersReasonIsItsLastErrorLineWithoutItsPrefixOrItsHelpAdvice() {
        assertThat(TrivyScanner.dockerReason("""
                Unable to find image 'x' locally
                docker: Error response from daemon: pull access denied.
                Run 'docker run --help' for more information
                """)).isEqualTo("Error response from daemon: pull access denied");
        assertThat(TrivyScanner.dockerReason("")).isEqualTo("docker gave no reason");
    }

    @Test
    void theDatabaseTimesAreReadFromTrivysVersionAnswerAndAnythingElseLeavesThemUnknown() {
        // trivy 0.58.1: trivy version --format json --cache-dir DIR (a cache holding the fixture DB)
        assertThat(TrivyScanner.databaseIn("{\"Version\":\"0.58.1\",\"VulnerabilityDB\":{\"Version\":2,"
                + "\"NextUpdate\":\"2126-12-07T11:05:26.648057419Z\",\"UpdatedAt\":\"2026-12-07T11:05:26.648057419Z\","
                + "\"DownloadedAt\":\"2026-12-07T11:05:27Z\"}}"))
                .isEqualTo(new TrivyScanner.Database("2026-12-07T11:05:26.648057419Z", "2026-12-07T11:05:27Z"));
        assertThat(TrivyScanner.databaseIn("{\"Version\":\"0.58.1\"}")).isEqualTo(TrivyScanner.Database.UNKNOWN);
        assertThat(TrivyScanner.databaseIn("Version: 0.58.1")).isEqualTo(TrivyScanner.Database.UNKNOWN);
        assertThat(TrivyScanner.databaseIn("{\"VulnerabilityDB\":{\"UpdatedAt\":7}}")).isEqualTo(TrivyScanner.Database.UNKNOWN);
    }

    @Test
    void theDockerfileIsCheckedAloneInADirectoryOfItsOwnWithTheEmbeddedChecksOnlyAndTheDirectoryIsRemoved(
            @TempDir Path dir) throws Exception {
        Path args = dir.resolve("args");
        Path seen = dir.resolve("seen");
        Path trivy = script(dir, "trivy", "case \"$1\" in\n"
                + "  config) echo \"$@\" > " + args + "; for last; do :; done; ls \"$last\" > " + seen
                + "; cat \"$last/Dockerfile\" >> " + seen
                + "; echo '{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"Dockerfile\",\"Misconfigurations\":["
                + "{\"ID\":\"DS002\",\"Title\":\"root\",\"Severity\":\"HIGH\",\"Status\":\"FAIL\"}]}]}'"
                + "; echo \"$last\" >> " + args + " ;;\n"
                + "  image) echo '{\"SchemaVersion\":2,\"Results\":[]}' ;;\n"
                + "  *) echo 'Version: 0.58.1' ;;\nesac");
        TrivyScanner scanner = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"), "/usr/bin:/bin");

        var report = scanner.scan("perfbox-job:1", new Dockerfile("FROM debian:bookworm\n"));

        assertThat(report.misconfigurations()).extracting(m -> m.id()).containsExactly("DS002");
        List<String> called = Files.readAllLines(args);
        assertThat(called.get(0)).startsWith("config --misconfig-scanners dockerfile --skip-check-update --format json");
        assertThat(Files.readString(seen)).isEqualTo("Dockerfile\nFROM debian:bookworm\n");
        assertThat(Path.of(called.get(1))).as("the Dockerfile's directory is removed").doesNotExist();
    }

    @Test
    void dockerfileChecksThatFailFailTheScanWithTrivysReason(@TempDir Path dir) throws Exception {
        Path trivy = script(dir, "trivy", "case \"$1\" in\n"
                + "  config) echo 'FATAL config scan error: unknown flag' >&2; exit 1 ;;\n"
                + "  image) echo '{\"SchemaVersion\":2,\"Results\":[]}' ;;\n"
                + "  *) echo 'Version: 0.58.1' ;;\nesac");
        TrivyScanner scanner = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"), "/usr/bin:/bin");

        assertThatThrownBy(() -> scanner.scan("perfbox-job:1", new Dockerfile("FROM debian\n")))
                .isInstanceOf(VulnerabilityScanner.ScanFailedException.class)
                .hasMessageContaining("trivy config").hasMessageContaining("FATAL config scan error: unknown flag");
    }

    @Test
    void aScanRunsOnTheCpusNoRunHoldsWhenItStarts(@TempDir Path dir) throws Exception {
        Path seen = dir.resolve("cpus");
        Path trivy = script(dir, "trivy", "case \"$1\" in\n"
                + "  image) grep Cpus_allowed_list /proc/self/status > " + seen + "; echo '{\"SchemaVersion\":2,\"Results\":[]}' ;;\n"
                + "  *) echo 'Version: 0.58.1' ;;\nesac");
        String last = Integer.toString(Runtime.getRuntime().availableProcessors() - 1);
        TrivyScanner pinned = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"),
                "/usr/bin:/bin", () -> Optional.of(last));

        pinned.scan("perfbox-job:1");
        assertThat(Files.readString(seen)).contains("Cpus_allowed_list:\t" + last + "\n");

        TrivyScanner free = new TrivyScanner(settings(Optional.of(trivy), false), new DockerCli("docker"),
                "/usr/bin:/bin", () -> Optional.empty());
        free.scan("perfbox-job:1");
        if (Runtime.getRuntime().availableProcessors() > 1) {
            assertThat(Files.readString(seen)).as("unpinned: any CPU").doesNotContain("Cpus_allowed_list:\t" + last + "\n");
        }
    }
}
