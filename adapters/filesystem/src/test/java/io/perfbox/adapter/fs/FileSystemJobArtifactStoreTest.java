package io.perfbox.adapter.fs;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.testing.contract.JobArtifactStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local runtime's artifact store, held to the contract every JobArtifactStore keeps. */
class FileSystemJobArtifactStoreTest extends JobArtifactStoreContract {
    @TempDir
    Path root;
    private JobArtifactStore store;

    @BeforeEach
    void freshStore() {
        store = new FileSystemJobArtifactStore(root);
    }

    @Override
    protected JobArtifactStore storeKeeping(int headBytes, int tailBytes) {
        return new FileSystemJobArtifactStore(root, headBytes, tailBytes);
    }

    @Override
    protected JobArtifactStore store() {
        return store;
    }

    @Test
    void aLogAnEarlierVersionStoredWholeAsJsonIsStillRead() throws Exception {
        JobId id = JobId.random();
        Files.createDirectories(root.resolve(id.value()));
        Files.writeString(root.resolve(id.value()).resolve("build-log.json"),
                "{\"text\":\"step 1\\nstep 2\\n\",\"truncated\":true}");
        var kind = JobArtifactStore.LogKind.BUILD;
        Assertions.assertThat(store.log(id, kind))
                .contains(new JobArtifactStore.CapturedLog("step 1\nstep 2\n", true));
        var slice = store.readLog(id, kind, 7, 100).orElseThrow();
        Assertions.assertThat(new String(slice.bytes())).isEqualTo("step 2\n");
        Assertions.assertThat(slice.atEnd()).isTrue();
    }

    @Test
    void aScanReportStoredBeforeMisconfigurationsIsReadWithNoneAndNoThresholds() throws Exception {
        JobId id = JobId.random();
        Files.createDirectories(root.resolve(id.value()));
        // scan.json as perfbox wrote it before it ran Trivy's Dockerfile checks.
        Files.writeString(root.resolve(id.value()).resolve("scan.json"), """
                {"scanner":"trivy","scannerVersion":"0.58.1","findings":[{"vulnerabilityId":"CVE-2024-0001",\
                "packageName":"openssl","installedVersion":"3.0.11-1","fixedVersion":"3.0.13-1","severity":"HIGH",\
                "title":"t","target":"debian 12"}],"dbUpdatedAt":"2024-12-01T00:00:00Z","dbDownloadedAt":null}""");
        var read = store.scanReport(id).orElseThrow();
        Assertions.assertThat(read.findings()).hasSize(1);
        Assertions.assertThat(read.misconfigurations()).isEmpty();
        Assertions.assertThat(read.gate()).isNull();
        Assertions.assertThat(read.dbUpdatedAt()).isEqualTo("2024-12-01T00:00:00Z");
    }

    @Test
    void theRetentionSeesWhatAJobsFilesTakeAndWhichWereLastChangedBeforeACutoffNeverFollowingALink() throws Exception {
        var fs = new FileSystemJobArtifactStore(root);
        JobId old = JobId.random();
        JobId recent = JobId.random();
        fs.saveLog(old, JobArtifactStore.LogKind.RUN, new JobArtifactStore.CapturedLog("x".repeat(1000), false));
        fs.saveLog(recent, JobArtifactStore.LogKind.RUN, new JobArtifactStore.CapturedLog("y", false));
        Path outside = Files.writeString(root.resolveSibling("outside-" + old.value()), "z".repeat(50_000));
        Files.createSymbolicLink(root.resolve(old.value()).resolve("link"), outside);
        Files.createDirectories(root.resolve("not-a-job"));
        Instant now = Instant.now();
        Files.setLastModifiedTime(root.resolve(old.value()),
                FileTime.from(now.minus(Duration.ofDays(40))));
        Files.setLastModifiedTime(root.resolve("not-a-job"),
                FileTime.from(now.minus(Duration.ofDays(40))));

        Assertions.assertThat(fs.bytes(old)).isBetween(1000L, 40_000L);
        Assertions.assertThat(fs.bytes(JobId.random())).isZero();
        Assertions.assertThat(fs.storedBefore(now.minus(Duration.ofDays(30)))).containsExactly(old);
        fs.deleteAll(old);
        Assertions.assertThat(outside).exists();
        Assertions.assertThat(fs.storedBefore(now.plusSeconds(5))).containsExactly(recent);
    }
}
