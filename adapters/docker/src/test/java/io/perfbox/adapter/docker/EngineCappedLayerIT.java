package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.testing.docker.RequiresDocker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run's writable layer held by the kernel where the engine can cap a container's size: on an engine whose storage
 * driver takes {@code --storage-opt size} (here btrfs with quotas, an engine of the test's own), a file deleted while
 * held open counts against the layer's bound, which the engine's count of visible files ({@code SizeRw}, all the
 * watchdog sees) misses. On the machine's own engine (overlay2 on ext4) the engine refuses the cap, and runs are
 * bounded by the watchdog alone, as before.
 */
@RequiresDocker
class EngineCappedLayerIT {
    private static final long LAYER = 64L * 1024 * 1024;
    private static final RunLimits LIMITS = new RunLimits(256L * 1024 * 1024, 1.0, 64, Duration.ofSeconds(90),
            RunLimits.DEFAULT_DATA_BYTES, LAYER);
    private static BtrfsEngine btrfs;
    private final String store = "it" + UUID.randomUUID().toString().substring(0, 8);
    private final ConcurrentHashMap<JobId, Path> data = new ConcurrentHashMap<>();
    @TempDir
    Path tmp;

    @BeforeAll
    static void startTheBtrfsEngine() throws Exception {
        btrfs = BtrfsEngine.start();
        assertTheMachinesBridgeIsThere();
        // Writes 200 MiB to a file it deleted while holding it open, then reports how much the file holds.
        btrfs.build("held-open:it", "FROM debian:bookworm\nCMD exec 3>/held; rm /held;"
                + " dd if=/dev/zero bs=1M count=200 >&3 2>/dev/null;"
                + " echo \"{\\\"perf\\\": $(stat -L -c %s /proc/self/fd/3)}\" > /data/perf.json\n");
        // Fills its layer with a file it can see, then waits.
        btrfs.build("visible:it", "FROM debian:bookworm\nCMD dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null; sleep 30\n");
    }

    @AfterAll
    static void stopIt() throws Exception {
        if (btrfs != null) {
            btrfs.close();
        }
        assertTheMachinesBridgeIsThere();
    }

    /** The second engine leaves the machine's engine as it was: its bridge (docker0) is still there. */
    private static void assertTheMachinesBridgeIsThere() throws Exception {
        String name = new DockerCli("docker").quick("network", "inspect", "bridge", "--format",
                "{{index .Options \"com.docker.network.bridge.name\"}}").stdoutText().strip();
        assertThat(Path.of("/sys/class/net", name.isEmpty() ? "docker0" : name)).exists();
    }

    private DockerEngine engine(String via) {
        return via.equals("api") ? new DockerApiEngine(new DockerSocketClient(btrfs.socket())) : new DockerCliEngine(btrfs.cli());
    }

    private DockerContainerRunner runner(DockerEngine engine) {
        Function<JobId, Path> dir = id -> data.computeIfAbsent(id, j -> {
            try {
                Path d = Files.createDirectories(tmp.resolve(j.value()));
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
                return d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new DockerContainerRunner(engine, store, dir, (id, files) -> false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "cli"})
    void aFileDeletedWhileHeldOpenCountsAgainstTheLayerWhereTheEngineCapsSizes(String via) throws Exception {
        DockerEngine engine = engine(via);
        DockerContainerRunner runner = runner(engine);
        JobId id = JobId.random();
        try {
            assertThat(runner.layerCap("held-open:it").quota()).isEqualTo(DockerEngine.StorageQuota.LAYER_AND_IMAGE);
            var outcome = runner.run(id, "held-open:it", LIMITS);
            assertThat(outcome).isInstanceOf(ContainerRunner.Exited.class);
            String report = Files.readString(data.get(id).resolve("perf.json"));
            long held = Long.parseLong(report.replaceAll("[^0-9]", ""));
            // The engine's cap: the bound, its 1 MiB of headroom and btrfs's share for the image's metadata (an
            // eighth of debian:bookworm's 111 MiB at most); never the 200 MiB the run tried.
            assertThat(held).isGreaterThan(LAYER / 2).isLessThanOrEqualTo(LAYER + 16L * 1024 * 1024);
        } finally {
            runner.remove(id);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "cli"})
    void aRunFillingItsCappedLayerWithFilesItSeesEndsDiskLimit(String via) throws Exception {
        DockerContainerRunner runner = runner(engine(via));
        JobId id = JobId.random();
        try {
            var outcome = runner.run(id, "visible:it", LIMITS);
            assertThat(outcome).isInstanceOfSatisfying(ContainerRunner.DiskLimitExceeded.class,
                    d -> assertThat(d.area()).isEqualTo(ContainerRunner.DiskArea.WRITABLE_LAYER));
        } finally {
            runner.remove(id);
        }
    }

    @Test
    void theMachinesOverlayOnExt4RefusesTheCapAndRunsAreBoundedByTheWatchdogAlone() throws Exception {
        DockerCli docker = new DockerCli("docker");
        String driver = docker.quick("info", "--format", "{{.Driver}}").stdoutText().strip();
        String fs = docker.quick("info", "--format", "{{json .DriverStatus}}").stdoutText();
        Assumptions.assumeTrue(driver.equals("overlay2") && fs.contains("extfs"),
                "this machine's engine is overlay2 on ext4");
        for (DockerEngine engine : new DockerEngine[] {new DockerCliEngine(docker),
                DockerApiEngine.reachableThrough(docker).orElseThrow()}) {
            DockerContainerRunner runner = new DockerContainerRunner(engine, store, id -> tmp, (id, files) -> false);
            var cap = runner.layerCap("debian:bookworm");
            assertThat(cap.byTheKernel()).isFalse();
            assertThat(cap.why()).contains("overlay2").contains("storage-opt");
        }
    }
}
