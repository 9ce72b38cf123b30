package io.perfbox.core.fakes;

import io.perfbox.core.contract.JobStoreContract;
import io.perfbox.core.port.JobStore;

class InMemoryJobStoreTest extends JobStoreContract {
    private final InMemoryJobStore store = new InMemoryJobStore();

    @Override
    protected JobStore store() {
        return store;
    }
}
