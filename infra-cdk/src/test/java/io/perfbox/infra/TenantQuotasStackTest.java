package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.api.ApiOperation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/**
 * The tenants' quotas from the context keys to the API functions: every API function is told both (the submit
 * function checks them), and only the submit function may count usage, with a Query of the byUsage index and nothing
 * more; without quotas (the default) no function may.
 */
class TenantQuotasStackTest {
    private static JsonNode synth(Map<String, Object> context, String out) {
        var app = SynthesizedStack.newApp(Path.of("target/" + out), context);
        return TemplateQueries.JSON.valueToTree(Template.fromStack(
                PerfboxStack.createStack(app, SynthesizedStack.STACK_NAME)).toJSON());
    }

    private static JsonNode function(JsonNode template, ApiOperation operation) {
        List<JsonNode> found = new ArrayList<>();
        template.get("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::Lambda::Function")
                    && r.at("/Properties/Environment/Variables/" + JobApi.API_OPERATION).asText().equals(operation.name())) {
                found.add(r);
            }
        });
        assertThat(found).as(operation.name()).hasSize(1);
        return found.get(0);
    }

    /** Every (API role, action, resource) granted on the byUsage index (the workflow's Admit and reconciler have theirs). */
    private static List<String> byUsageGrants(JsonNode template) {
        List<String> grants = new ArrayList<>();
        template.get("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::IAM::Policy")
                    && r.at("/Properties/Roles/0/Ref").asText().startsWith("JobApi")) {
                r.at("/Properties/PolicyDocument/Statement").forEach(s -> {
                    String resource = s.get("Resource").toString();
                    if (resource.contains("/index/" + JobStoreTable.BY_USAGE)) {
                        grants.add(r.at("/Properties/Roles/0/Ref").asText() + " " + s.get("Action") + " " + resource);
                    }
                });
            }
        });
        return grants;
    }

    @Test
    void quotasReachTheApiFunctionsAndOnlySubmitMayQueryTheUsageIndex() {
        JsonNode template = synth(Map.of("perfbox:maxActiveJobsPerTenant", 3, "perfbox:maxSubmissionsPerDay", "50"),
                "cdk-quotas.out");
        for (ApiOperation route : ApiOperation.values()) {
            JsonNode variables = function(template, route).at("/Properties/Environment/Variables");
            assertThat(variables.path("PERFBOX_MAX_ACTIVE_JOBS").asText()).as(route.name()).isEqualTo("3");
            assertThat(variables.path("PERFBOX_MAX_SUBMISSIONS_PER_DAY").asText()).as(route.name()).isEqualTo("50");
        }
        List<String> grants = byUsageGrants(template);
        assertThat(grants).singleElement().satisfies(g -> {
            assertThat(g).startsWith("JobApiSubmitJobServiceRole");
            assertThat(g).contains("\"dynamodb:Query\"").doesNotContain("GetItem").doesNotContain("Scan");
        });
    }

    @Test
    void withoutQuotasTheFunctionsAreToldUnlimitedAndNoneMayQueryTheUsageIndex() {
        JsonNode template = TemplateQueries.template();
        JsonNode variables = function(template, ApiOperation.SUBMIT_JOB).at("/Properties/Environment/Variables");
        assertThat(variables.path("PERFBOX_MAX_ACTIVE_JOBS").asText()).isEqualTo("unlimited");
        assertThat(variables.path("PERFBOX_MAX_SUBMISSIONS_PER_DAY").asText()).isEqualTo("unlimited");
        assertThat(byUsageGrants(template)).isEmpty();
    }
}
