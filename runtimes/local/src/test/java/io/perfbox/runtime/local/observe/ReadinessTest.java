package io.perfbox.runtime.local.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.docker.DockerApiEngine;
import io.perfbox.adapter.docker.DockerCli;
import io.perfbox.adapter.docker.DockerSocketClient;
import io.perfbox.adapter.sqlite.SqliteJobStore;
import io.perfbox.adapter.trivy.TrivyScanner;
import io.perfbox.adapter.trivy.TrivySettings;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness over the real adapters, each made to be down for real: a closed SQLite store, an engine socket nobody
 * listens on (a Docker host pointed at a dead socket), a Trivy path with no executable. Each is named as the one down.
 */
class ReadinessTest {
    @TempDir
    Path dir;

    @Test
    void aClosedStoreADeadEngineSocketAndAMissingScannerAreEachNamedDown() throws Exception {
        SqliteJobStore store = SqliteJobStore.open(dir.resolve("data"));
        // A socket file that exists but that nobody listens on any more: connection refused.
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
        }
        DockerApiEngine deadEngine = new DockerApiEngine(new DockerSocketClient(socket));
        TrivyScanner missingTrivy = new TrivyScanner(new TrivySettings(Optional.of(dir.resolve("no-trivy")), false,
                Optional.empty(), true, true, Duration.ofMinutes(1), List.of(), TrivySettings.DEFAULT_IMAGE, false),
                new DockerCli("docker"));
        boolean[] engineUp = {true};
        boolean[] scannerUp = {true};
        Readiness readiness = new Readiness(List.of(
                new Readiness.Check("store", () -> store.countActive("") >= 0),
                new Readiness.Check("engine", () -> engineUp[0] || deadEngine.ping()),
                new Readiness.Check("scanner", () -> scannerUp[0] || missingTrivy.check().ready())), Duration.ZERO);

        assertThat(readiness.now().ready()).isTrue();
        engineUp[0] = false;
        assertThat(readiness.now().down()).containsExactly("engine");
        engineUp[0] = true;
        scannerUp[0] = false;
        assertThat(readiness.now().down()).containsExactly("scanner");
        scannerUp[0] = true;
        store.close();
        Readiness.Result r = readiness.now();
        assertThat(r.ready()).isFalse();
        assertThat(r.down()).containsExactly("store");
        assertThat(r.checks()).containsOnlyKeys("store", "engine", "scanner");
    }

    @Test
    void anEngineSocketThatIsNotThereIsDown() throws Exception {
        assertThat(new DockerApiEngine(new DockerSocketClient(dir.resolve("absent.sock"))).ping()).isFalse();
    }

    @Test
    void aProbeThatThrowsIsDownAndTheOthersStillAnswer() {
        Readiness readiness = new Readiness(List.of(
                new Readiness.Check("store", () -> {
                    throw new IllegalStateException("database is locked");
                }),
                new Readiness.Check("engine", () -> true)), Duration.ZERO);
        assertThat(readiness.now().down()).containsExactly("store");
        assertThat(readiness.now().checks()).containsEntry("engine", true);
    }
}
