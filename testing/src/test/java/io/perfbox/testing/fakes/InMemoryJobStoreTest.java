package io.perfbox.testing.fakes;

import io.perfbox.core.port.JobStore;
import io.perfbox.testing.contract.JobStoreContract;

class InMemoryJobStoreTest extends JobStoreContract {
    private final InMemoryJobStore store = new InMemoryJobStore();

    @Override
    protected JobStore store() {
        return store;
    }
}
