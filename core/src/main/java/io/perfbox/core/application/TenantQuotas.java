package io.perfbox.core.application;

import java.util.OptionalInt;

/**
 * Limits per tenant: at most {@code maxActiveJobs} jobs under way (queued, building, scanning or running) and at most
 * {@code maxSubmissionsPerDay} submissions in any 24 hours. Empty: no limit.
 */
public record TenantQuotas(OptionalInt maxActiveJobs, OptionalInt maxSubmissionsPerDay) {
    public static final TenantQuotas UNLIMITED = new TenantQuotas(OptionalInt.empty(), OptionalInt.empty());

    public TenantQuotas {
        maxActiveJobs = maxActiveJobs == null ? OptionalInt.empty() : maxActiveJobs;
        maxSubmissionsPerDay = maxSubmissionsPerDay == null ? OptionalInt.empty() : maxSubmissionsPerDay;
        if (maxActiveJobs.orElse(1) < 1 || maxSubmissionsPerDay.orElse(1) < 1) {
            throw new IllegalArgumentException("a quota is at least 1");
        }
    }

    public boolean unlimited() {
        return maxActiveJobs.isEmpty() && maxSubmissionsPerDay.isEmpty();
    }
}
