package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.api.ApiOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/** Tenants: the Lambda TOKEN authorizer on every method, a short TTL, and a role that can only read keys. */
class AuthorizerTest {
    private static final JsonNode TEMPLATE = TemplateQueries.template();

    private static String logicalId(IConstruct construct) {
        return Stack.of(construct).resolve(((CfnElement) construct.getNode().getDefaultChild())
                .getLogicalId()).toString();
    }

    private static final String KEYS_TABLE = logicalId(SynthesizedStack.STACK.api().apiKeys());
    private static final String AUTHORIZER_FUNCTION = logicalId(SynthesizedStack.STACK.api().authorizerFunction());

    private static String authorizerId() {
        List<String> ids = new ArrayList<>();
        TEMPLATE.get("Resources").properties().forEach(r -> {
            if (r.getValue().path("Type").asText().equals("AWS::ApiGateway::Authorizer")) {
                ids.add(r.getKey());
            }
        });
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    @Test
    void everyMethodIsBehindTheTokenAuthorizerWhichAnswersTheTenantsOwnUsagePlanKey() {
        String authorizer = authorizerId();
        List<JsonNode> methods = TemplateQueries.resources("AWS::ApiGateway::Method");
        assertThat(methods).hasSize(ApiOperation.values().length);
        for (JsonNode method : methods) {
            JsonNode p = method.get("Properties");
            assertThat(p.path("AuthorizationType").asText()).as(p.toString()).isEqualTo("CUSTOM");
            assertThat(p.path("AuthorizerId").path("Ref").asText()).isEqualTo(authorizer);
            assertThat(p.path("ApiKeyRequired").asBoolean()).isTrue();
        }
        // The usage plan's key is the tenant's own, answered by the authorizer (usageIdentifierKey), not a header
        // every client shares; and the stack makes no shared key.
        for (JsonNode api : TemplateQueries.resources("AWS::ApiGateway::RestApi")) {
            assertThat(api.path("Properties").path("ApiKeySourceType").asText("HEADER")).isEqualTo("AUTHORIZER");
        }
        assertThat(TemplateQueries.resources("AWS::ApiGateway::ApiKey")).isEmpty();
        assertThat(TemplateQueries.resources("AWS::ApiGateway::UsagePlan")).singleElement().satisfies(plan -> {
            assertThat(plan.at("/Properties/Quota/Period").asText()).isEqualTo("DAY");
            assertThat(plan.at("/Properties/Throttle/RateLimit").asInt()).isPositive();
        });
        assertThat(TEMPLATE.get("Outputs").path("UsagePlanId").at("/Value/Ref").asText()).startsWith("JobApiUsagePlan");
    }

    @Test
    void theAuthorizerReadsTheBearerHeaderAndIsCachedForAMinuteAtMost() {
        JsonNode authorizer = TEMPLATE.get("Resources").get(authorizerId()).get("Properties");
        assertThat(authorizer.path("Type").asText()).isEqualTo("TOKEN");
        assertThat(authorizer.path("IdentitySource").asText()).isEqualTo("method.request.header.Authorization");
        assertThat(authorizer.path("AuthorizerResultTtlInSeconds").asInt()).isEqualTo(JobApi.AUTHORIZER_TTL_SECONDS)
                .isBetween(1, 60);
        assertThat(authorizer.path("AuthorizerUri").toString()).contains(AUTHORIZER_FUNCTION);
    }

    @Test
    void theAuthorizerFunctionRunsTheTenantAuthorizerWithOnlyTheKeysTable() {
        JsonNode function = TEMPLATE.get("Resources").get(AUTHORIZER_FUNCTION).get("Properties");
        assertThat(function.path("Handler").asText()).isEqualTo(JobApi.AUTHORIZER_CLASS + JavaLambda.METHOD);
        JsonNode variables = function.path("Environment").path("Variables");
        assertThat(variables.fieldNames()).toIterable().containsExactly("PERFBOX_API_KEYS_TABLE");
        assertThat(variables.path("PERFBOX_API_KEYS_TABLE").path("Ref").asText()).isEqualTo(KEYS_TABLE);
    }

    /** Every statement of an identity policy that names the keys table, with the roles the policy is on. */
    private static List<Map.Entry<JsonNode, JsonNode>> statementsOnTheKeysTable() {
        List<Map.Entry<JsonNode, JsonNode>> found = new ArrayList<>();
        for (JsonNode policy : TemplateQueries.resources("AWS::IAM::Policy")) {
            for (JsonNode statement : policy.at("/Properties/PolicyDocument/Statement")) {
                if (statement.path("Resource").toString().contains(KEYS_TABLE)) {
                    found.add(Map.entry(statement, policy.at("/Properties/Roles")));
                }
            }
        }
        return found;
    }

    @Test
    void onlyTheAuthorizerMayTouchTheKeysAndOnlyToReadOne() {
        String role = TEMPLATE.get("Resources").get(AUTHORIZER_FUNCTION).at("/Properties/Role/Fn::GetAtt/0").asText();
        var statements = statementsOnTheKeysTable();
        assertThat(statements).hasSize(1);
        JsonNode statement = statements.get(0).getKey();
        assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.path("Action").asText()).isEqualTo("dynamodb:GetItem");
        assertThat(statement.path("Resource").path("Fn::GetAtt").get(0).asText()).isEqualTo(KEYS_TABLE);
        assertThat(statements.get(0).getValue()).hasSize(1);
        assertThat(statements.get(0).getValue().get(0).path("Ref").asText()).isEqualTo(role);
        // Nor anything on the jobs table.
        String jobsTable = logicalId(SynthesizedStack.STACK.jobs().table());
        for (JsonNode policy : TemplateQueries.resources("AWS::IAM::Policy")) {
            if (policy.at("/Properties/Roles").toString().contains(role)) {
                assertThat(policy.at("/Properties/PolicyDocument").toString()).doesNotContain(jobsTable)
                        .doesNotContain("dynamodb:Query").doesNotContain("dynamodb:Scan").doesNotContain("dynamodb:PutItem");
            }
        }
    }

    @Test
    void theKeysTableIsEncryptedWithPointInTimeRecovery() {
        JsonNode table = TEMPLATE.get("Resources").get(KEYS_TABLE).get("Properties");
        assertThat(table.at("/KeySchema/0/AttributeName").asText()).isEqualTo("pk");
        assertThat(table.at("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled").asBoolean()).isTrue();
        assertThat(table.at("/SSESpecification/SSEEnabled").asBoolean()).isTrue();
        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
    }
}
