package io.perfbox.runtime.aws.workflow;

import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.logging.JobLogContext;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.logging.CapturedLogLines;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

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
