package io.perfbox.core.application;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.fakes.InMemoryJobStore;
import io.perfbox.core.port.PipelineLauncher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobRecoveryTest {
    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final List<JobId> started = new ArrayList<>();

    private Job stored(JobStatus status) {
        Job job = Job.queued(JobId.random(), "me", null, null, Instant.now());
        jobs.create(job, Optional.empty());
        Job moved = switch (status) {
            case QUEUED -> job;
            case SUCCEEDED -> job.succeeded(1, Instant.now());
            default -> job.advancedTo(status, Instant.now());
        };
        jobs.update(moved, EnumSet.of(JobStatus.QUEUED));
        return moved;
    }

    @Test
    void queuedJobsResumeAndJobsCaughtMidwayEndInterrupted() {
        Job queued = stored(JobStatus.QUEUED);
        Job building = stored(JobStatus.BUILDING);
        Job running = stored(JobStatus.RUNNING);
        Job done = stored(JobStatus.SUCCEEDED);
        var recovered = new JobRecovery(jobs, new PipelineLauncher() {
            public void start(JobId id) { started.add(id); }
            public void stop(JobId id) { }
        }, Clock.systemUTC()).recover();
        assertThat(recovered).isEqualTo(new JobRecovery.Recovered(1, 2));
        assertThat(started).containsExactly(queued.id());
        for (Job j : List.of(building, running)) {
            Job now = jobs.find(j.id()).orElseThrow();
            assertThat(now.status()).isEqualTo(JobStatus.FAILED);
            assertThat(now.failure().code()).isEqualTo(FailureCode.INTERRUPTED);
        }
        assertThat(jobs.find(done.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }
}
