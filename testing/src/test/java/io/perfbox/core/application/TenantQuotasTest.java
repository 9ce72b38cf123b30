package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.QuotaExceededException;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The per-tenant quotas of the submit use case, over the job store. */
class TenantQuotasTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final MovableClock clock = new MovableClock();

    private JobService service(Integer maxActive, Integer maxPerDay) {
        return new JobService(jobs, new InMemoryDockerfileStore(), new InMemoryJobArtifactStore(),
                new RecordingPipelineLauncher(), clock).withQuotas(new TenantQuotas(
                maxActive == null ? OptionalInt.empty() : OptionalInt.of(maxActive),
                maxPerDay == null ? OptionalInt.empty() : OptionalInt.of(maxPerDay)), jobs);
    }

    private static SubmitJobCommand command(String owner) {
        return new SubmitJobCommand(owner, "n", "d", new Dockerfile("FROM debian:bookworm"), Optional.empty());
    }

    private void end(Job job, FailureCode code) {
        Job failed = job.failed(new Failure(code, "why"), clock.instant());
        assertThat(jobs.update(failed, EnumSet.of(JobStatus.QUEUED))).isTrue();
    }

    @Test
    void withoutQuotasATenantSubmitsAsMuchAsItLikes() {
        JobService service = service(null, null);
        for (int i = 0; i < 50; i++) {
            service.submit(command("a"));
        }
        assertThat(jobs.countActive("a")).isEqualTo(50);
    }

    @Test
    void pastItsJobsUnderWayATenantIsRefusedUntilOneEndsAndOtherTenantsAreNot() {
        JobService service = service(2, null);
        Job first = service.submit(command("a")).job();
        service.submit(command("a"));
        assertThatThrownBy(() -> service.submit(command("a")))
                .isInstanceOfSatisfying(QuotaExceededException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)))
                .hasMessageContaining("under way");
        assertThat(service.submit(command("b")).created()).isTrue();
        end(first, FailureCode.RUN_FAILED);
        assertThat(service.submit(command("a")).created()).isTrue();
    }

    @Test
    void pastItsDailySubmissionsATenantIsToldWhenTheOldestLeavesTheWindow() {
        JobService service = service(null, 2);
        end(service.submit(command("a")).job(), FailureCode.BUILD_FAILED);
        clock.now = T0.plus(Duration.ofHours(1));
        service.submit(command("a"));
        clock.now = T0.plus(Duration.ofHours(3));
        assertThatThrownBy(() -> service.submit(command("a")))
                .isInstanceOfSatisfying(QuotaExceededException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(21)))
                .hasMessageContaining("24 hours");
        assertThat(service.submit(command("b")).created()).isTrue();
        clock.now = T0.plus(Duration.ofHours(24)).plusSeconds(1);
        assertThat(service.submit(command("a")).created()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = FailureCode.class, names = {"INTERNAL", "INTERRUPTED", "SCANNER_UNAVAILABLE", "PLATFORM_FAILURE"})
    void submissionsThatFailedThroughPerfboxsOwnFaultAreNotCounted(FailureCode platformFault) {
        JobService service = service(null, 1);
        end(service.submit(command("a")).job(), platformFault);
        Job counted = service.submit(command("a")).job();
        end(counted, FailureCode.VULNERABLE);
        assertThatThrownBy(() -> service.submit(command("a"))).isInstanceOf(QuotaExceededException.class);
    }

    @Test
    void deletingFinishedJobsDoesNotGiveATenantItsDailySubmissionsBack() {
        JobService service = service(null, 2);
        for (int i = 0; i < 2; i++) {
            Job job = service.submit(command("a")).job();
            end(job, FailureCode.RUN_FAILED);
            service.delete("a", job.id());
        }
        assertThat(jobs.list("a", Optional.empty(), 10, Optional.empty()).jobs()).isEmpty();
        assertThatThrownBy(() -> service.submit(command("a")))
                .isInstanceOf(QuotaExceededException.class).hasMessageContaining("made 2 submissions");
    }

    @Test
    void aSubmissionTheTenantCancelledStillCounts() {
        JobService service = service(null, 1);
        Job job = service.submit(command("a")).job();
        assertThat(service.cancel("a", job.id()).status()).isEqualTo(JobStatus.CANCELLED);
        assertThatThrownBy(() -> service.submit(command("a"))).isInstanceOf(QuotaExceededException.class);
    }

    @Test
    void quotasWithoutAUsageToCountThemAreRefused() {
        JobService service = new JobService(jobs, new InMemoryDockerfileStore(), new InMemoryJobArtifactStore(),
                new RecordingPipelineLauncher(), clock);
        assertThatThrownBy(() -> service.withQuotas(new TenantQuotas(OptionalInt.of(1), OptionalInt.empty()), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyPlatformFailureCodesArePlatformFaults() {
        assertThat(EnumSet.allOf(FailureCode.class).stream().filter(FailureCode::isPlatformFault))
                .containsExactlyInAnyOrder(FailureCode.INTERNAL, FailureCode.INTERRUPTED, FailureCode.SCANNER_UNAVAILABLE,
                        FailureCode.PLATFORM_FAILURE);
    }
}
