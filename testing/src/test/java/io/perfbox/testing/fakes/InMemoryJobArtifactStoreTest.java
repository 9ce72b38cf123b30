package io.perfbox.testing.fakes;

import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.testing.contract.JobArtifactStoreContract;

/** The fake other unit tests rely on keeps the same contract as the real stores. */
class InMemoryJobArtifactStoreTest extends JobArtifactStoreContract {
    private final InMemoryJobArtifactStore store = new InMemoryJobArtifactStore();

    @Override
    protected JobArtifactStore storeKeeping(int headBytes, int tailBytes) {
        return new InMemoryJobArtifactStore(headBytes, tailBytes);
    }

    @Override
    protected JobArtifactStore store() {
        return store;
    }
}
