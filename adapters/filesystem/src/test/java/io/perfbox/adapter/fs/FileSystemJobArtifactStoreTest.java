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
}
