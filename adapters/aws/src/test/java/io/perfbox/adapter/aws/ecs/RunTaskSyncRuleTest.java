package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.aws.RecordedPayloads;
import io.perfbox.testing.aws.StepInputs;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rule of ecs:runTask.sync the workflow relies on, as the fixtures model it (StepInputs.runTaskSync): the state
 * succeeds only when every container of the stopped task exited 0, essential or not. Evidence:
 * wellcomecollection/catalogue-pipeline PR #3377 (app container exit 0, a non-essential fluent-bit sidecar SIGKILLed
 * at 137, StopCode EssentialContainerExited: the state failed States.TaskFailed); aws/aws-for-fluent-bit issue #11
 * (Fargate tasks started by a step function fail because a sidecar exits 137); aws/copilot-cli issue #3160 (a
 * container that never came up: States.TaskFailed).
 */
class RunTaskSyncRuleTest {
    private final JobId id = JobId.random();

    private String task(Integer jobExit, Integer clockExit) {
        return StepInputs.task(id, StepInputs.containers(StepInputs.container(id, jobExit, null), clockExit),
                "EssentialContainerExited", "Essential container in task exited");
    }

    @Test
    void everyContainerExitedZeroSucceeds() {
        assertThat(StepInputs.runTaskSync(task(0, 0))).isEmpty();
        assertThat(StepInputs.runTaskSync(StepInputs.succeededTask(id))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {143, 137, 124, 1})
    void aHelperThatExitedNonZeroBesideAJobThatExitedZeroFailsTheState(int clockExit) {
        String task = task(0, clockExit);
        assertThat(StepInputs.runTaskSync(task)).contains(StepInputs.taskFailedError(task));
    }

    @Test
    void aContainerThatNeverRanFailsTheState() {
        assertThat(StepInputs.runTaskSync(task(0, null))).isPresent();
        assertThat(StepInputs.runTaskSync(task(null, null))).isPresent();
    }

    @Test
    void theFailureFixturesAreWhatTheRuleFails() throws Exception {
        for (String error : new String[] {StepInputs.exitedError(id, 3), StepInputs.outOfMemoryError(id),
                StepInputs.runClockExpiredError(id, 900_000), StepInputs.runClockExpiredError(id, 0, 900_000),
                StepInputs.cannotPullError(id)}) {
            String cause = StepInputs.JSON.readTree(error).get("Cause").asText();
            assertThat(StepInputs.runTaskSync(cause)).as(cause).contains(error);
        }
    }

    @Test
    void theRecordedOutputOfARealSucceededStateIsWhatTheRuleLetsThrough() {
        // runTask.sync handed this task to the next state (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT): its one
        // container exited 0.
        assertThat(StepInputs.runTaskSync(RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT)).isEmpty();
    }

    /** Any one container of the job's task exiting non-zero fails the state, whichever it is and whatever it is. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 124, 137, 143, 255})
    void anyContainerOfTheJobsTaskThatExitedNonZeroFailsTheStateWithTheTaskAsCause(int exit) throws Exception {
        for (String name : StepInputs.JOB_TASK_CONTAINERS) {
            Integer jobExit = name.equals(StepInputs.JOB_CONTAINER) ? exit : 0;
            Map<String, Optional<Integer>> helpers = name.equals(StepInputs.JOB_CONTAINER)
                    ? Map.of() : Map.of(name, Optional.of(exit));
            String task = StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, jobExit, null), helpers),
                    "EssentialContainerExited", "Essential container in task exited");
            String error = StepInputs.runTaskSync(task).orElseThrow();
            assertThat(StepInputs.JSON.readTree(error).get("Error").asText()).isEqualTo("States.TaskFailed");
            assertThat(StepInputs.JSON.readTree(StepInputs.JSON.readTree(error).get("Cause").asText()))
                    .as(name + " exited " + exit).isEqualTo(StepInputs.JSON.readTree(task));
        }
    }

    @Test
    void theJobsTaskWithEveryHelperAsEcsLeavesItWhenItStopsTheTaskSucceeds() {
        // The original bug's case: the job's container exited 0, ECS stopped the rest (TaskHelpersImageIT: exit 0).
        assertThat(StepInputs.runTaskSync(StepInputs.jobTask(id, 0, null))).isEmpty();
    }
}
