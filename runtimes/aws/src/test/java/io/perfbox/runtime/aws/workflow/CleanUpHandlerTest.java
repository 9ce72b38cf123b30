package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.logging.JobLogContext;
import io.perfbox.testing.logging.CapturedLogLines;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CleanUpHandlerTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final CleanUpHandler handler = new CleanUpHandler(f.aws.cleanUp());


    @Test
    void stopsBuildsThenTasksAndRemovesTaskDefinitionsAndImageWithNoIamOrEfsCall() {
        assertThat(f.step(handler, "")).isEqualTo(Map.of("cleanedUp", true));
        assertThat(f.aws.calls()).containsExactly("stopBuilds " + f.id, "stopTasks " + f.id,
                "removeTaskDefinitions " + f.id, "deleteImage " + f.id);
    }

    @Test
    void buildThatCouldNotBeStoppedFailsTheCleanUpAfterEveryOtherPart() {
        f.aws.failOn("stopBuilds", new IllegalStateException("CodeBuild throttled"));

        assertThatThrownBy(() -> f.step(handler, "")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stop its builds").hasMessageContaining("CodeBuild throttled");
        assertThat(f.aws.calls()).contains("stopTasks " + f.id, "deleteImage " + f.id);
    }

    @Test
    void partThatFailsDoesNotKeepTheOthersFromBeingRemoved() {
        f.aws.failOn("removeTaskDefinitions", new IllegalStateException("ECS throttled"));

        assertThatThrownBy(() -> f.step(handler, "")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task definitions").hasMessageContaining("ECS throttled");
        assertThat(f.aws.calls()).contains("deleteImage " + f.id);
    }

    @Test
    void everyLineOfAnInvocationCarriesItsJobIdAndTheThreadKeepsNone() {
        f.aws.failOn("removeTaskDefinitions", new IllegalStateException("ECS throttled"));

        try (CapturedLogLines logs = new CapturedLogLines()) {
            assertThatThrownBy(() -> f.step(handler, "")).isInstanceOf(IllegalStateException.class);

            assertThat(logs.json()).extracting(line -> line.path("level").asText()).containsExactly("INFO", "WARN");
            assertThat(logs.json()).allSatisfy(line -> assertThat(line.path("jobId").asText()).isEqualTo(f.id.value()));
            assertThat(logs.json().get(1).path("error").asText()).contains("ECS throttled");
        }
        assertThat(JobLogContext.get()).isNull();
    }
}
