package io.perfbox.adapter.aws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.testing.aws.StepInputs;
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
}
