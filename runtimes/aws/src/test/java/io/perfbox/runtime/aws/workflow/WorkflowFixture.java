package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.JobFixtures;
import io.perfbox.testing.fakes.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the workflow handlers' tests share: one job in the in-memory stores, the lifecycle over them as the AWS
 * runtime builds it (resources released by the state machine's own states), the fake AWS resources, and the
 * configuration of {@link StepInputs#ENV}.
 */
final class WorkflowFixture {
    static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    final InMemoryJobStore jobs = new InMemoryJobStore();
    final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    final FakeAwsResources aws = new FakeAwsResources();
    final WorkflowConfig config;
    final JobLifecycle lifecycle;
    /** A collector's record not complete yet is read again for this long (a real task's: 30 s). */
    static final Duration COLLECTOR_PATIENCE = Duration.ofMillis(300);
    final RunRecorder runs;
    final Job queued;
    final JobId id;

    WorkflowFixture() {
        this(1);
    }

    /** A job that asks for {@code runs} runs. */
    WorkflowFixture(int runs) {
        this(runs, Map.of());
    }

    /** A job of one run, the functions' environment {@link StepInputs#ENV} with {@code env}'s variables over it. */
    WorkflowFixture(Map<String, String> env) {
        this(1, env);
    }

    private WorkflowFixture(int runs, Map<String, String> env) {
        Map<String, String> environment = new HashMap<>(StepInputs.ENV);
        environment.putAll(env);
        config = WorkflowConfig.fromEnvironment(environment);
        lifecycle = new JobLifecycle(jobs, artifacts, config.policy(), config.runMemoryLimitBytes(),
                JobResources.RELEASED_ELSEWHERE, new SteppingClock(START));
        this.runs = new RunRecorder(lifecycle, aws, aws, config.runTimeout(), config.runStartTimeout(),
                COLLECTOR_PATIENCE, config.taskLimits(), artifacts);
        queued = Job.queued(JobId.random(), "alice", "bench", null, runs, START);
        id = queued.id();
        jobs.create(queued, Optional.empty());
    }

    /** The handler invoked as Lambda invokes it: the state's input JSON as a map, {"jobId": ...} first. */
    Map<String, Object> step(WorkflowStep handler, String moreFields) {
        return handler.handleRequest(StepInputs.input("{\"jobId\":\"" + id + "\""
                + (moreFields.isEmpty() ? "" : "," + moreFields) + "}"), null);
    }

    Job stored() {
        return jobs.find(id).orElseThrow();
    }

    Job putIn(JobStatus status) {
        Job moved = JobFixtures.inStatus(queued, status, START);
        jobs.update(moved, EnumSet.allOf(JobStatus.class));
        return moved;
    }

    void assertFailed(FailureCode code, String... messageParts) {
        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure().code()).isEqualTo(code);
        for (String part : messageParts) {
            assertThat(stored().failure().message()).contains(part);
        }
    }
}
