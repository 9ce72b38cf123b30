package io.perfbox.testing.fakes;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import java.time.Instant;

/** Jobs in a given status, for tests that need one without running a pipeline. */
public final class JobFixtures {
    private JobFixtures() {
    }

    /** {@code queued} moved straight to {@code status} at {@code at}; a FAILED one failed with RUN_FAILED. */
    public static Job inStatus(Job queued, JobStatus status, Instant at) {
        return switch (status) {
            case QUEUED -> queued;
            case BUILDING, SCANNING, RUNNING -> queued.advancedTo(status, at);
            case SUCCEEDED -> queued.succeeded(0.5, at);
            case FAILED -> queued.failed(Failure.of(FailureCode.RUN_FAILED, "The container exited with code 1"), at);
            case CANCELLED -> queued.cancelled(at);
        };
    }
}
