package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admission of the synthesized state machine: every execution takes a slot among the jobs in flight (Admit)
 * before its job begins, waits QUEUED and asks again while there is none, and gives it back on the one path that
 * skips CleanUp (a job Begin does not start); a failed Admit ends the job through Fail, whose path ends in CleanUp.
 */
class AdmissionWorkflowTest {
    private final JsonNode states = TemplateQueries.stateMachineDefinition().get("States");

    private JsonNode state(String name) {
        assertThat(states.has(name)).as(name).isTrue();
        return states.get(name);
    }

    @Test
    void admitComesBeforeBeginAndLoopsThroughAWaitWhileNoSlotIsFree() {
        assertThat(state("Attempts").get("Next").asText()).isEqualTo("Admit");
        assertThat(TemplateQueries.map(state("Admit").get("Parameters"))).isEqualTo(Map.of("jobId.$", "$.jobId",
                // cdk.json's defaults: min(20 builds - 1, 6 vCPUs / 1 vCPU), and 30 s.
                "cap", 6, "waitSeconds", 30));
        assertThat(state("Admit").get("ResultPath").asText()).isEqualTo("$.admission");
        assertThat(state("Admit").get("Next").asText()).isEqualTo("Admitted");
        assertThat(state("Admitted").at("/Choices/0/Variable").asText()).isEqualTo("$.admission.admitted");
        assertThat(state("Admitted").at("/Choices/0/BooleanEquals").asBoolean()).isFalse();
        assertThat(state("Admitted").at("/Choices/0/Next").asText()).isEqualTo("AdmissionWait");
        assertThat(state("Admitted").get("Default").asText()).isEqualTo("Begin");
        assertThat(state("AdmissionWait").get("SecondsPath").asText()).isEqualTo("$.admission.waitSeconds");
        assertThat(state("AdmissionWait").get("Next").asText()).isEqualTo("Admit");
        assertThat(state("Admit").at("/Catch/0/Next").asText()).isEqualTo("admit failed");
        assertThat(state("admit failed").get("Next").asText()).isEqualTo("Fail");
    }

    @Test
    void aJobBeginDoesNotStartGivesItsSlotBackBeforeTheExecutionSucceeds() {
        assertThat(state("ShouldBuild").get("Default").asText()).isEqualTo("ReleaseAdmission");
        assertThat(TemplateQueries.map(state("ReleaseAdmission").get("Parameters")))
                .isEqualTo(Map.of("jobId.$", "$.jobId", "release", true));
        assertThat(state("ReleaseAdmission").get("Next").asText()).isEqualTo("Superseded");
        // Should the release fail, CleanUp releases too (and the execution-ended rule after it).
        assertThat(state("ReleaseAdmission").at("/Catch/0/Next").asText()).isEqualTo("CleanUp");
        assertThat(TemplateQueries.taskStateResources().get("Admit")).matches("WorkflowFunctionsAdmit[0-9A-F]{8}");
        assertThat(TemplateQueries.taskStateResources().get("ReleaseAdmission"))
                .matches("WorkflowFunctionsAdmit[0-9A-F]{8}");
    }
}
