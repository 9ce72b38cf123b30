package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.testing.aws.StepInputs;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every state's handler shares: its input read, its job id checked, its wiring for Lambda. */
class WorkflowStepTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final BeginHandler handler = new BeginHandler(f.lifecycle);

    @Test
    void malformedJobIdIsRefused() {
        assertThatThrownBy(() -> handler.handleRequest(StepInputs.input("{\"jobId\":\"../../etc\"}"), null))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void inputWithoutAJobIdIsRefused() {
        assertThatThrownBy(() -> handler.handleRequest(StepInputs.input("{}"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobId");
        assertThatThrownBy(() -> handler.handleRequest(null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobId");
    }

    @Test
    void fieldsAreReadWithoutRegardToCase() {
        assertThat(handler.handleRequest(StepInputs.input("{\"JobId\":\"" + f.id + "\"}"), null))
                .isEqualTo(Map.of("proceed", true));
    }

    @Test
    void everyStateHasAPublicHandlerLambdaCanBuildWithoutArguments() {
        // infra-cdk names these classes in the state machine; Lambda builds each through its no-argument constructor.
        for (Class<?> state : List.of(BeginHandler.class, AfterBuildHandler.class, PrepareRunHandler.class,
                RecordRunHandler.class, RecordFailureHandler.class, CleanUpHandler.class, ExecutionEndedHandler.class)) {
            assertThat(WorkflowStep.class).isAssignableFrom(state);
            assertThat(Modifier.isPublic(state.getModifiers())).as(state.getName()).isTrue();
            assertThat(state.getConstructors()).as(state.getName())
                    .anySatisfy(c -> assertThat(c.getParameterCount()).isZero())
                    .anySatisfy(c -> assertThat(c.getParameterCount()).isPositive());
        }
    }

    @Test
    void stepNameIsTheStatesName() {
        assertThat(handler.stepName()).isEqualTo("Begin");
        assertThat(new PrepareRunHandler(null, "perfbox-jobs").stepName()).isEqualTo("PrepareRun");
    }
}
