package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A job the user cancelled says so in its own failure code, CANCELLED, and keeps counting against the quotas. */
class JobCancelTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private static Job queued() {
        return Job.queued(JobId.random(), "alice", "n", null, T0);
    }

    @ParameterizedTest
    @EnumSource(value = JobStatus.class, names = {"QUEUED", "BUILDING", "SCANNING", "RUNNING"})
    void aJobCancelledInAnyActiveStatusEndsCancelledWithTheCodeCancelledNamingTheStatus(JobStatus status) {
        Job job = status == JobStatus.QUEUED ? queued() : queued().advancedTo(status, T0.plusSeconds(1));
        Job cancelled = job.cancelled(T0.plusSeconds(2));
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.failure()).isEqualTo(Failure.of(FailureCode.CANCELLED, "Cancelled by the user while " + status));
        assertThat(cancelled.stages().finishedAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aCancelIsTheUsersChoiceNotAPlatformFaultSoItCountsAgainstTheQuotas() {
        assertThat(FailureCode.CANCELLED.isPlatformFault()).isFalse();
        assertThat(queued().cancelled(T0.plusSeconds(1)).failedThroughPlatformFault()).isFalse();
    }

    @Test
    void aJobStoredCancelledWithTheOldCodeInterruptedReadsAsCancelledKeepingItsMessage() {
        Job old = queued();
        Job stored = new Job(old.id(), old.owner(), old.name(), old.description(), JobStatus.CANCELLED,
                Failure.of(FailureCode.INTERRUPTED, "Cancelled by the user while RUNNING"), null, T0, T0.plusSeconds(3),
                old.stages().withFinished(T0.plusSeconds(3)), null);
        assertThat(stored.failure()).isEqualTo(Failure.of(FailureCode.CANCELLED, "Cancelled by the user while RUNNING"));
    }

    @Test
    void aJobThatFailedInterruptedByACrashStaysInterrupted() {
        Job crashed = queued().advancedTo(JobStatus.RUNNING, T0.plusSeconds(1)).failed(
                Failure.of(FailureCode.INTERRUPTED, "perfbox stopped while the job was RUNNING; submit it again"),
                T0.plusSeconds(2));
        assertThat(crashed.failure().code()).isEqualTo(FailureCode.INTERRUPTED);
        assertThat(crashed.failedThroughPlatformFault()).isTrue();
    }
}
