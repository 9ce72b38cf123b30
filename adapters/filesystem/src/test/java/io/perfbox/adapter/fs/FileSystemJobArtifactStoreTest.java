package io.perfbox.adapter.fs;

import io.perfbox.testing.contract.JobArtifactStoreContract;
import io.perfbox.core.port.JobArtifactStore;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
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

    @org.junit.jupiter.api.Test
    void aLogAnEarlierVersionStoredWholeAsJsonIsStillRead() throws Exception {
        io.perfbox.core.domain.JobId id = io.perfbox.core.domain.JobId.random();
        java.nio.file.Files.createDirectories(root.resolve(id.value()));
        java.nio.file.Files.writeString(root.resolve(id.value()).resolve("build-log.json"),
                "{\"text\":\"step 1\\nstep 2\\n\",\"truncated\":true}");
        var kind = JobArtifactStore.LogKind.BUILD;
        org.assertj.core.api.Assertions.assertThat(store.log(id, kind))
                .contains(new JobArtifactStore.CapturedLog("step 1\nstep 2\n", true));
        var slice = store.readLog(id, kind, 7, 100).orElseThrow();
        org.assertj.core.api.Assertions.assertThat(new String(slice.bytes())).isEqualTo("step 2\n");
        org.assertj.core.api.Assertions.assertThat(slice.atEnd()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aScanReportStoredBeforeMisconfigurationsIsReadWithNoneAndNoThresholds() throws Exception {
        io.perfbox.core.domain.JobId id = io.perfbox.core.domain.JobId.random();
        java.nio.file.Files.createDirectories(root.resolve(id.value()));
        // scan.json as perfbox wrote it before it ran Trivy's Dockerfile checks.
        java.nio.file.Files.writeString(root.resolve(id.value()).resolve("scan.json"), """
                {"scanner":"trivy","scannerVersion":"0.58.1","findings":[{"vulnerabilityId":"CVE-2024-0001",\
                "packageName":"openssl","installedVersion":"3.0.11-1","fixedVersion":"3.0.13-1","severity":"HIGH",\
                "title":"t","target":"debian 12"}],"dbUpdatedAt":"2024-12-01T00:00:00Z","dbDownloadedAt":null}""");
        var read = store.scanReport(id).orElseThrow();
        org.assertj.core.api.Assertions.assertThat(read.findings()).hasSize(1);
        org.assertj.core.api.Assertions.assertThat(read.misconfigurations()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(read.gate()).isNull();
        org.assertj.core.api.Assertions.assertThat(read.dbUpdatedAt()).isEqualTo("2024-12-01T00:00:00Z");
    }

    @org.junit.jupiter.api.Test
    void theRetentionSeesWhatAJobsFilesTakeAndWhichWereLastChangedBeforeACutoffNeverFollowingALink() throws Exception {
        var fs = new FileSystemJobArtifactStore(root);
        io.perfbox.core.domain.JobId old = io.perfbox.core.domain.JobId.random();
        io.perfbox.core.domain.JobId recent = io.perfbox.core.domain.JobId.random();
        fs.saveLog(old, JobArtifactStore.LogKind.RUN, new JobArtifactStore.CapturedLog("x".repeat(1000), false));
        fs.saveLog(recent, JobArtifactStore.LogKind.RUN, new JobArtifactStore.CapturedLog("y", false));
        Path outside = java.nio.file.Files.writeString(root.resolveSibling("outside-" + old.value()), "z".repeat(50_000));
        java.nio.file.Files.createSymbolicLink(root.resolve(old.value()).resolve("link"), outside);
        java.nio.file.Files.createDirectories(root.resolve("not-a-job"));
        java.time.Instant now = java.time.Instant.now();
        java.nio.file.Files.setLastModifiedTime(root.resolve(old.value()),
                java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(40))));
        java.nio.file.Files.setLastModifiedTime(root.resolve("not-a-job"),
                java.nio.file.attribute.FileTime.from(now.minus(java.time.Duration.ofDays(40))));

        org.assertj.core.api.Assertions.assertThat(fs.bytes(old)).isBetween(1000L, 40_000L);
        org.assertj.core.api.Assertions.assertThat(fs.bytes(io.perfbox.core.domain.JobId.random())).isZero();
        org.assertj.core.api.Assertions.assertThat(fs.storedBefore(now.minus(java.time.Duration.ofDays(30)))).containsExactly(old);
        fs.deleteAll(old);
        org.assertj.core.api.Assertions.assertThat(outside).exists();
        org.assertj.core.api.Assertions.assertThat(fs.storedBefore(now.plusSeconds(5))).containsExactly(recent);
    }
}
