package io.perfbox.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.trivy.TrivySettings;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.domain.Severity;
import io.perfbox.testing.RepositoryRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalConfigTest {
    private static final Map<String, String> HOME = Map.of("HOME", "/home/u");

    @Test
    void defaultsAreSafeAndDocumented() {
        LocalConfig c = LocalConfig.from(List.of(), HOME);
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("/home/u/.perfbox"));
        assertThat(c.pipeline().policy().threshold()).isEqualTo(Severity.HIGH);
        assertThat(c.pipeline().policy().ignoreUnfixed()).isFalse();
        assertThat(c.pipeline().runLimits().memoryBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(c.trivy().containerFallback()).isTrue();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.loopback()).isTrue();
        assertThat(c.tls().enabled()).isFalse();
        assertThat(c.requireKeys()).isFalse();
        assertThat(c.quotas().unlimited()).isTrue();
    }

    @Test
    void listenChoosesHostAndPortAndPortKeepsWorkingWithoutIt() {
        LocalConfig c = LocalConfig.from(List.of("--listen", "127.0.0.1:9443"), HOME);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(9443);
        assertThat(LocalConfig.from(List.of("--port", "9100"), HOME).port()).isEqualTo(9100);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--listen", "9443"), HOME)).hasMessageContaining("HOST:PORT");
    }

    @Test
    void aNonLoopbackAddressIsRefusedWithoutTlsAndRequiresKeysWithIt() {
        assertThatThrownBy(() -> LocalConfig.from(List.of("--listen", "0.0.0.0:8443"), HOME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not loopback").hasMessageContaining("--tls-cert").hasMessageContaining("--tls-self-signed");
        LocalConfig c = LocalConfig.from(List.of("--listen", "0.0.0.0:8443", "--tls-self-signed"), HOME);
        assertThat(c.loopback()).isFalse();
        assertThat(c.requireKeys()).isTrue();
    }

    @Test
    void tlsCertificateAndKeyGoTogether() {
        assertThatThrownBy(() -> LocalConfig.from(List.of("--tls-cert", "/c.pem"), HOME)).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--tls-cert", "/c.pem", "--tls-key", "/k.pem",
                "--tls-self-signed"), HOME)).hasMessageContaining("not both");
        LocalConfig c = LocalConfig.from(List.of("--tls-cert", "/c.pem", "--tls-key", "/k.pem"), HOME);
        assertThat(c.tls().enabled()).isTrue();
        assertThat(c.tls().certificate()).contains(Path.of("/c.pem"));
    }

    @Test
    void quotasAreReadAndUnlimitedByDefault() {
        LocalConfig c = LocalConfig.from(List.of("--max-active-jobs", "3", "--max-submissions-per-day", "100"), HOME);
        assertThat(c.quotas().maxActiveJobs()).hasValue(3);
        assertThat(c.quotas().maxSubmissionsPerDay()).hasValue(100);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--max-active-jobs", "0"), HOME))
                .hasMessageContaining("--max-active-jobs");
    }

    @Test
    void aContainerRuntimeIsNamedByFlagOrEnvironmentAndIsTheEnginesDefaultOtherwise() {
        assertThat(LocalConfig.from(List.of(), HOME).runtime()).isEmpty();
        assertThat(LocalConfig.from(List.of("--runtime", "runsc"), HOME).runtime()).contains("runsc");
        Map<String, String> env = Map.of("HOME", "/home/u", "PERFBOX_RUNTIME", "kata-runtime");
        assertThat(LocalConfig.from(List.of(), env).runtime()).contains("kata-runtime");
        assertThat(LocalConfig.from(List.of("--runtime", "io.containerd.runc.v2"), env).runtime())
                .contains("io.containerd.runc.v2");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--runtime", "run sc;rm"), HOME))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--runtime");
    }

    @Test
    void flagsWinOverEnvironment() {
        Map<String, String> env = Map.of("HOME", "/h", "PERFBOX_PORT", "9000", "PERFBOX_RUN_TIMEOUT", "2m",
                "PERFBOX_SEVERITY_THRESHOLD", "critical");
        LocalConfig c = LocalConfig.from(List.of("--port", "9100", "--memory=512m", "--ignore-unfixed",
                "--no-trivy-image-fallback", "--trivy-args", "--debug --insecure"), env);
        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.pipeline().runLimits().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.pipeline().policy().threshold()).isEqualTo(Severity.CRITICAL);
        assertThat(c.pipeline().runLimits().memoryBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(c.pipeline().policy().ignoreUnfixed()).isTrue();
        assertThat(c.trivy().containerFallback()).isFalse();
        assertThat(c.trivy().extraArgs()).containsExactly("--debug", "--insecure");
    }

    @Test
    void diskLimitsBuildsAndTheirNetworkHaveSafeDefaultsAndCanBeChanged() {
        LocalConfig d = LocalConfig.from(List.of(), HOME);
        assertThat(d.pipeline().runLimits().dataBytes()).isEqualTo(1L << 30);
        assertThat(d.pipeline().runLimits().writableLayerBytes()).isEqualTo(10L << 30);
        assertThat(d.builds().isolated()).isTrue();
        assertThat(d.builds().builder()).isEqualTo(LocalConfig.Builder.AUTO);
        assertThat(d.builds().cacheBytes()).isEqualTo(10L << 30);
        assertThat(d.builds().allowed()).isEmpty();
        assertThat(d.builds().denied()).isEmpty();

        LocalConfig c = LocalConfig.from(List.of("--data-size", "64m", "--layer-size=2g",
                "--build-allow", "10.1.2.3/32,192.168.5.0/24", "--build-deny", "203.0.113.0/24"), HOME);
        assertThat(c.pipeline().runLimits().dataBytes()).isEqualTo(64L << 20);
        assertThat(c.pipeline().runLimits().writableLayerBytes()).isEqualTo(2L << 30);
        assertThat(c.builds().allowed()).containsExactly("10.1.2.3/32", "192.168.5.0/24");
        assertThat(c.builds().denied()).containsExactly("203.0.113.0/24");
        assertThat(LocalConfig.from(List.of("--no-build-isolation"), HOME).builds().isolated()).isFalse();
        LocalConfig classic = LocalConfig.from(List.of("--builder", "classic", "--build-cache-size", "512m"), HOME);
        assertThat(classic.builds().builder()).isEqualTo(LocalConfig.Builder.CLASSIC);
        assertThat(classic.builds().cacheBytes()).isEqualTo(512L << 20);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--builder", "kaniko"), HOME))
                .hasMessageContaining("--builder").hasMessageContaining("buildkit");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--build-allow", "mirror.local"), HOME))
                .hasMessageContaining("--build-allow");
    }

    @Test
    void finishedJobsAreKept30DaysByDefaultLookedForHourlyAndBothComeFromAFlagOrTheEnvironment() {
        LocalConfig d = LocalConfig.from(List.of(), HOME);
        assertThat(d.retention().keep()).isEqualTo(Duration.ofDays(30));
        assertThat(d.retention().interval()).isEqualTo(Duration.ofHours(1));
        LocalConfig flags = LocalConfig.from(List.of("--retain-days", "7", "--retention-interval=90s"), HOME);
        assertThat(flags.retention().days()).isEqualTo(7);
        assertThat(flags.retention().interval()).isEqualTo(Duration.ofSeconds(90));
        Map<String, String> env = new HashMap<>(HOME);
        env.put("PERFBOX_RETAIN_DAYS", "365");
        env.put("PERFBOX_RETENTION_INTERVAL", "10m");
        assertThat(LocalConfig.from(List.of(), env).retention()).isEqualTo(new LocalConfig.Retention(
                Duration.ofDays(365), Duration.ofMinutes(10)));
        assertThat(LocalConfig.from(List.of("--retain-days", "2"), env).retention().days()).as("the flag wins").isEqualTo(2);
    }

    @Test
    void aRetentionOfZeroOrOutOfRangeStopsStartUpWithAMessage() {
        assertThatThrownBy(() -> LocalConfig.from(List.of("--retain-days", "0"), HOME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--retain-days 0 would remove every job").hasMessageContaining("1 to 36500");
        for (String bad : List.of("-1", "36501", "thirty", "1.5", "")) {
            assertThatThrownBy(() -> LocalConfig.from(List.of("--retain-days=" + bad), HOME)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--retain-days");
        }
        assertThatThrownBy(() -> LocalConfig.from(List.of("--retention-interval", "500ms"), HOME))
                .hasMessageContaining("--retention-interval");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--retention-interval", "0"), HOME))
                .hasMessageContaining("--retention-interval");
    }

    @Test
    void misconfigurationsAreWarningsUnlessAThresholdIsGivenByFlagOrEnvironment() {
        assertThat(LocalConfig.from(List.of(), HOME).pipeline().policy().misconfigThreshold()).isNull();
        assertThat(LocalConfig.from(List.of("--misconfig-threshold", "high"), HOME).pipeline().policy()
                .misconfigThreshold()).isEqualTo(Severity.HIGH);
        Map<String, String> env = Map.of("HOME", "/h", "PERFBOX_MISCONFIG_THRESHOLD", "MEDIUM");
        assertThat(LocalConfig.from(List.of(), env).pipeline().policy().misconfigThreshold()).isEqualTo(Severity.MEDIUM);
        assertThat(LocalConfig.from(List.of("--misconfig-threshold=CRITICAL"), env).pipeline().policy()
                .misconfigThreshold()).isEqualTo(Severity.CRITICAL);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--misconfig-threshold", "root"), HOME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--misconfig-threshold").hasMessageContaining("CRITICAL");
    }

    @Test
    void badValuesStopStartUpWithAMessage() {
        assertThatThrownBy(() -> LocalConfig.from(List.of("--port", "70000"), HOME)).hasMessageContaining("--port");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--run-timeout", "soon"), HOME)).hasMessageContaining("duration");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--severity-threshold", "SEVERE"), HOME)).hasMessageContaining("CRITICAL");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--cpus", "0"), HOME)).hasMessageContaining("--cpus");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--bogus"), HOME)).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--workers"), HOME)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--ignore-unfixed=maybe"), HOME)).hasMessageContaining("true or false");
    }

    @Test
    void logFormatIsAutoByDefaultAndTakesJsonOrTextFromTheFlagOrTheEnvironment() {
        LocalConfig.LogFormat auto = LocalConfig.from(List.of(), HOME).logFormat();
        assertThat(auto).isEqualTo(LocalConfig.LogFormat.AUTO);
        assertThat(auto.resolve(true)).isEqualTo(LocalConfig.LogFormat.TEXT);
        assertThat(auto.resolve(false)).isEqualTo(LocalConfig.LogFormat.JSON);
        assertThat(LocalConfig.from(List.of("--log-format", "text"), HOME).logFormat().resolve(false))
                .isEqualTo(LocalConfig.LogFormat.TEXT);
        assertThat(LocalConfig.from(List.of(), Map.of("HOME", "/home/u", "PERFBOX_LOG_FORMAT", "JSON")).logFormat()
                .resolve(true)).isEqualTo(LocalConfig.LogFormat.JSON);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--log-format", "xml"), HOME))
                .hasMessageContaining("auto, json or text");
    }

    @Test
    void serverNamesAreLowerCaseHostNames() {
        assertThat(LocalConfig.from(List.of(), HOME).serverNames()).isEmpty();
        assertThat(LocalConfig.from(List.of("--server-names", "Perfbox.Example, build-1.lan"), HOME).serverNames())
                .containsExactly("perfbox.example", "build-1.lan");
        assertThatThrownBy(() -> LocalConfig.from(List.of("--server-names", "http://perfbox.example"), HOME))
                .hasMessageContaining("host names");
    }

    @Test
    void theLeaderboardsDefaultDirectionIsDescendingUnlessAFlagOrTheEnvironmentSaysAscending() {
        assertThat(LocalConfig.from(List.of(), HOME).leaderboardOrder()).isEqualTo(RankOrder.DESC);
        assertThat(LocalConfig.from(List.of("--leaderboard-order", "asc"), HOME).leaderboardOrder())
                .isEqualTo(RankOrder.ASC);
        Map<String, String> env = new HashMap<>(HOME);
        env.put("PERFBOX_LEADERBOARD_ORDER", "ASC");
        assertThat(LocalConfig.from(List.of(), env).leaderboardOrder()).isEqualTo(RankOrder.ASC);
        assertThatThrownBy(() -> LocalConfig.from(List.of("--leaderboard-order", "best"), HOME))
                .hasMessage("--leaderboard-order: 'best' is not one of desc, asc");
    }

    /** The real tools/install-trivy, run with a pinned Trivy already in its cache: it prints where it keeps it. */
    private static Path installTrivyPrints(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(RepositoryRoot.path().resolve("tools/install-trivy")
                .toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("PERFBOX_CACHE");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    private static void fakePinnedTrivy(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\necho 'Version: "
                + TrivySettings.PINNED_VERSION + "'\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void serveLooksForTheTrivyWhereToolsInstallTrivyPutsIt(@TempDir Path dir) throws Exception {
        // Under ~/.cache/perfbox by default ...
        Path home = dir.resolve("home");
        Path inHome = LocalConfig.from(List.of(), Map.of("HOME", home.toString())).trivy().installedPath().orElseThrow();
        fakePinnedTrivy(inHome);
        assertThat(installTrivyPrints(Map.of("HOME", home.toString()))).isEqualTo(inHome);
        // ... and under PERFBOX_CACHE when it is set, as for the script.
        Path cache = dir.resolve("cache");
        Map<String, String> env = Map.of("HOME", home.toString(), "PERFBOX_CACHE", cache.toString());
        Path inCache = LocalConfig.from(List.of(), env).trivy().installedPath().orElseThrow();
        assertThat(inCache.startsWith(cache)).as(inCache.toString()).isTrue();
        fakePinnedTrivy(inCache);
        assertThat(installTrivyPrints(env)).isEqualTo(inCache);
    }
}
