package io.perfbox.testing.fakes;

import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.contract.TenantUsageContract;

class InMemoryTenantUsageTest extends TenantUsageContract {
    private final InMemoryJobStore store = new InMemoryJobStore();

    @Override
    protected JobStore jobs() {
        return store;
    }

    @Override
    protected TenantUsage usage() {
        return store;
    }
}
