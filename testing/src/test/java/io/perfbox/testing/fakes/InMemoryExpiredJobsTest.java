package io.perfbox.testing.fakes;

import io.perfbox.core.port.ExpiredJobs;
import io.perfbox.core.port.JobStore;
import io.perfbox.core.port.TenantUsage;
import io.perfbox.testing.contract.ExpiredJobsContract;

class InMemoryExpiredJobsTest extends ExpiredJobsContract {
    private final InMemoryJobStore store = new InMemoryJobStore();

    @Override
    protected JobStore jobs() {
        return store;
    }

    @Override
    protected ExpiredJobs expired() {
        return store;
    }

    @Override
    protected TenantUsage usage() {
        return store;
    }
}
