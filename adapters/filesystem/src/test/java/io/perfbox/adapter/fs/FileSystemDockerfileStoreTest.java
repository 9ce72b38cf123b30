package io.perfbox.adapter.fs;

import io.perfbox.core.port.DockerfileStore;
import io.perfbox.testing.contract.DockerfileStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The local runtime's Dockerfile store, held to the contract every DockerfileStore keeps. */
class FileSystemDockerfileStoreTest extends DockerfileStoreContract {
    @TempDir
    Path root;
    private DockerfileStore store;

    @BeforeEach
    void freshStore() {
        store = new FileSystemDockerfileStore(root);
    }

    @Override
    protected DockerfileStore store() {
        return store;
    }
}
