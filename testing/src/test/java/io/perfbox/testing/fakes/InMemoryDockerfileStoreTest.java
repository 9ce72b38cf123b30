package io.perfbox.testing.fakes;

import io.perfbox.core.port.DockerfileStore;
import io.perfbox.testing.contract.DockerfileStoreContract;

/** The fake other unit tests rely on keeps the same contract as the real stores. */
class InMemoryDockerfileStoreTest extends DockerfileStoreContract {
    private final InMemoryDockerfileStore store = new InMemoryDockerfileStore();

    @Override
    protected DockerfileStore store() {
        return store;
    }
}
