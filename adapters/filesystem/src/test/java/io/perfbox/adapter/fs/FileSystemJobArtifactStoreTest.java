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
    protected JobArtifactStore store() {
        return store;
    }
}
