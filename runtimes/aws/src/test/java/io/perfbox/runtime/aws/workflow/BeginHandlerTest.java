package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeginHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final BeginHandler handler = new BeginHandler(f.lifecycle);

    @Test
    void queuedJobProceedsAndIsBuilding() {
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", true));
        assertThat(f.stored().status()).isEqualTo(JobStatus.BUILDING);
    }

    @Test
    void repeatedBeginProceedsAgain() {
        f.step(handler, "");
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", true));
    }

    @Test
    void cancelledJobDoesNotProceed() {
        Job cancelled = f.putIn(JobStatus.CANCELLED);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
        assertThat(f.stored()).isEqualTo(cancelled);
    }

    @Test
    void deletedJobDoesNotProceed() {
        f.jobs.delete(f.id);
        assertThat(f.step(handler, "")).isEqualTo(Map.of("proceed", false));
    }
}
