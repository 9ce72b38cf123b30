package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.adapter.aws.sfn.JobExecutions;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconcileHandlerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T15:00:00Z");
    /** Longer ago than the grace period. */
    private static final Instant LONG_AGO = NOW.minus(Reconciler.GRACE).minus(Duration.ofMinutes(1));
    /** Within the grace period. */
    private static final Instant JUST_NOW = NOW.minus(Duration.ofMinutes(2));

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final JobLifecycle lifecycle = new JobLifecycle(jobs, new InMemoryJobArtifactStore(),
            WorkflowConfig.fromEnvironment(StepInputs.ENV).policy(), 2048L << 20,
            JobResources.RELEASED_ELSEWHERE, Clock.fixed(NOW, ZoneOffset.UTC));
    private final FakeAwsResources aws = new FakeAwsResources();
    private final FakeExecutions executions = new FakeExecutions();
    private final Inventory taskDefinitions = new Inventory("task definitions");
    private final Inventory images = new Inventory("images");
    private final ReconcileHandler handler = new ReconcileHandler(new Reconciler(jobs, lifecycle, executions,
            aws.cleanUp(), List.of(taskDefinitions, images), Reconciler.GRACE, Clock.fixed(NOW, ZoneOffset.UTC)));

    /** Step Functions' executions by job, as DescribeExecution answers; start makes a RUNNING one. */
    private static final class FakeExecutions implements JobExecutions {
        final Map<JobId, Execution> executions = new HashMap<>();
        final List<JobId> started = new ArrayList<>();
        RuntimeException failure;

        @Override
        public Optional<Execution> find(JobId id) {
            if (failure != null) {
                throw failure;
            }
            return Optional.ofNullable(executions.get(id));
        }

        @Override
        public void start(JobId id) {
            started.add(id);
            executions.putIfAbsent(id, new Execution("RUNNING", Optional.empty()));
        }
    }

    private static final class Inventory implements JobResourceInventory {
        final String kind;
        final Set<JobId> holders = new LinkedHashSet<>();
        RuntimeException failure;

        Inventory(String kind) {
            this.kind = kind;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public Set<JobId> holders() {
            if (failure != null) {
                throw failure;
            }
            return Set.copyOf(holders);
        }
    }

    private Job job(JobStatus status, Instant at) {
        Job queued = Job.queued(JobId.random(), "alice", "bench", null, at);
        jobs.create(queued, Optional.empty());
        Job moved = JobFixtures.inStatus(queued, status, at);
        jobs.update(moved, EnumSet.allOf(JobStatus.class));
        return moved;
    }

    private Job stored(Job job) {
        return jobs.find(job.id()).orElseThrow();
    }

    private static JobExecutions.Execution ended(String status, Instant at) {
        return new JobExecutions.Execution(status, Optional.of(at));
    }

    private static JobExecutions.Execution running() {
        return new JobExecutions.Execution("RUNNING", Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private static List<String> listed(Map<String, Object> out, String key) {
        return (List<String>) out.get(key);
    }

    // ---- stale jobs ----

    @Test
    void activeJobWhoseExecutionEndedLongAgoEndsInternalSayingTheWorkflowRecordedNoOutcomeAndIsCleanedUp() {
        Job stale = job(JobStatus.RUNNING, LONG_AGO);
        executions.executions.put(stale.id(), ended("SUCCEEDED", LONG_AGO));

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(listed(out, "ended")).containsExactly(stale.id().value());
        assertThat(stored(stale).status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored(stale).failure().code()).isEqualTo(FailureCode.INTERNAL);
        assertThat(stored(stale).failure().message()).contains("workflow ended SUCCEEDED without recording an outcome",
                "while the job was RUNNING");
        assertThat(aws.calls()).contains("stopBuilds " + stale.id(), "stopTasks " + stale.id(),
                "removeTaskDefinitions " + stale.id(), "deleteImage " + stale.id());
    }

    @Test
    void activeJobWithARunningExecutionIsLeftAlone() {
        Job building = job(JobStatus.BUILDING, LONG_AGO);
        executions.executions.put(building.id(), running());

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(listed(out, "ended")).isEmpty();
        assertThat(stored(building)).isEqualTo(building);
        assertThat(aws.calls()).isEmpty();
    }

    @Test
    void executionThatEndedOnlyJustNowIsLeftToTheExecutionEndedRule() {
        Job scanning = job(JobStatus.SCANNING, LONG_AGO);
        executions.executions.put(scanning.id(), ended("ABORTED", JUST_NOW));

        handler.handleRequest(Map.of(), null);

        assertThat(stored(scanning)).isEqualTo(scanning);
    }

    @Test
    void queuedJobThatNeverStartedIsStartedAfterTheGracePeriodOnly() {
        Job old = job(JobStatus.QUEUED, LONG_AGO);
        Job fresh = job(JobStatus.QUEUED, JUST_NOW);

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(executions.started).containsExactly(old.id());
        assertThat(listed(out, "started")).containsExactly(old.id().value());
        assertThat(stored(old).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(stored(fresh).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void jobPastQueuedWhoseExecutionNoLongerExistsEndsInternal() {
        Job running = job(JobStatus.RUNNING, LONG_AGO);

        handler.handleRequest(Map.of(), null);

        assertThat(stored(running).failure().code()).isEqualTo(FailureCode.INTERNAL);
        assertThat(stored(running).failure().message()).contains("workflow no longer exists without recording an outcome");
    }

    // ---- leaks ----

    @Test
    void resourcesOfAJobThatEndedLongAgoAreSweptThroughItsCleanUp() {
        Job finished = job(JobStatus.SUCCEEDED, LONG_AGO);
        taskDefinitions.holders.add(finished.id());
        images.holders.add(finished.id());

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(listed(out, "swept")).containsExactly(finished.id().value());
        assertThat(aws.calls()).containsExactly("stopBuilds " + finished.id(), "stopTasks " + finished.id(),
                "removeTaskDefinitions " + finished.id(), "deleteImage " + finished.id());
        assertThat(stored(finished)).isEqualTo(finished);
    }

    @Test
    void resourcesOfAJobTheStoreDoesNotKnowAreSwept() {
        JobId deleted = JobId.random();
        images.holders.add(deleted);

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(listed(out, "swept")).containsExactly(deleted.value());
        assertThat(aws.calls()).contains("deleteImage " + deleted);
    }

    @Test
    void resourcesOfAnActiveJobOrOfOneThatJustEndedAreKept() {
        Job active = job(JobStatus.RUNNING, LONG_AGO);
        executions.executions.put(active.id(), running());
        Job justEnded = job(JobStatus.CANCELLED, JUST_NOW);
        taskDefinitions.holders.add(active.id());
        taskDefinitions.holders.add(justEnded.id());

        Map<String, Object> out = handler.handleRequest(Map.of(), null);

        assertThat(listed(out, "swept")).isEmpty();
        assertThat(aws.calls()).isEmpty();
    }

    // ---- failures ----

    @Test
    void everyPartIsAttemptedAndTheInvocationFailsNamingEachProblem() {
        Job stale = job(JobStatus.BUILDING, LONG_AGO);
        executions.executions.put(stale.id(), ended("FAILED", LONG_AGO));
        Job finished = job(JobStatus.FAILED, LONG_AGO);
        images.holders.add(finished.id());
        taskDefinitions.failure = new IllegalStateException("ECS throttled");
        aws.failOn("deleteImage " + stale.id(), new IllegalStateException("ECR unavailable"));

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 problems")
                .hasMessageContaining("job " + stale.id() + ": could not reconcile it with its execution")
                .hasMessageContaining("ECR unavailable")
                .hasMessageContaining("could not list the jobs holding task definitions: ECS throttled");
        // The stale job was still ended, and the other job's leak still swept.
        assertThat(stored(stale).status()).isEqualTo(JobStatus.FAILED);
        assertThat(aws.calls()).contains("deleteImage " + finished.id());
    }

    @Test
    void executionThatCannotBeLookedUpLeavesTheJobAsItIsAndFails() {
        Job running = job(JobStatus.RUNNING, LONG_AGO);
        executions.failure = new IllegalStateException("Step Functions throttled");

        assertThatThrownBy(() -> handler.handleRequest(Map.of(), null))
                .hasMessageContaining("Step Functions throttled");
        assertThat(stored(running)).isEqualTo(running);
    }
}
