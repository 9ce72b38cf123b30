package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionEndedHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final ExecutionEndedHandler handler = new ExecutionEndedHandler(f.lifecycle, f.aws.cleanUp());


    @Test
    void abortedExecutionCleansUpAndEndsAnActiveJobInterrupted() {
        f.putIn(JobStatus.RUNNING);

        assertThat(f.step(handler, "\"status\":\"ABORTED\"")).isEqualTo(Map.of("recorded", true));

        f.assertFailed(FailureCode.INTERRUPTED, "RUNNING");
        assertThat(f.aws.calls()).contains("stopTasks " + f.id, "removeTaskDefinitions " + f.id, "deleteImage " + f.id);
    }

    @Test
    void abortedExecutionStopsTheBuildStillInProgressFirst() {
        f.putIn(JobStatus.BUILDING);
        f.aws.buildInProgress(f.id, "BuildAndScanProject:7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71");

        f.step(handler, "\"status\":\"ABORTED\"");

        assertThat(f.aws.calls()).first().isEqualTo("stopBuilds " + f.id);
        assertThat(f.aws.buildsInProgress(f.id)).isEmpty();
        f.assertFailed(FailureCode.INTERRUPTED, "BUILDING");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TIMED_OUT", "FAILED"})
    void executionThatTimedOutOrFailedEndsAnActiveJobInternal(String status) {
        f.putIn(JobStatus.BUILDING);
        f.step(handler, "\"status\":\"" + status + "\"");
        f.assertFailed(FailureCode.INTERNAL, "BUILDING");
    }

    @Test
    void cancelledJobStaysCancelledAndIsCleanedUp() {
        Job cancelled = f.putIn(JobStatus.CANCELLED);
        assertThat(f.step(handler, "\"status\":\"ABORTED\"")).isEqualTo(Map.of("recorded", false));
        assertThat(f.stored()).isEqualTo(cancelled);
        assertThat(f.aws.calls()).hasSize(4);
    }

    @Test
    void jobIsEndedEvenWhenCleanUpFails() {
        f.putIn(JobStatus.RUNNING);
        f.aws.failOn("stopTasks", new IllegalStateException("ECS unavailable"));

        assertThatThrownBy(() -> f.step(handler, "\"status\":\"ABORTED\""))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ECS unavailable");
        assertThat(f.stored().status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void statusThatIsNotAnAbnormalEndIsRefused() {
        assertThatThrownBy(() -> f.step(handler, "\"status\":\"SUCCEEDED\""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
