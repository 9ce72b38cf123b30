package io.perfbox.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.Function;

/**
 * The identity policies of perfbox's functions as the synthesized template gives them, their intrinsics resolved
 * ({@link ResolvedDefinition#resolved}) into the same names and ARNs the functions' resolved environments carry, so
 * that a test's engine can hold resources of exactly those names. Only perfbox's own functions (handler in
 * {@code io.perfbox.}); CDK's custom-resource providers are CDK's. A statement of a shape the evaluator does not
 * take (NotAction, NotResource, a Principal) fails, naming it.
 */
final class StackPolicies {
    /** One statement of one policy of a function's role. */
    record Statement(String function, String policy, int index, String effect, List<String> actions,
                     List<String> resources, JsonNode condition) {
        String where() {
            return policy + " statement " + index;
        }
    }

    /** A function's role: its statements, its managed policies' ARNs, its environment variables. */
    record FunctionPolicies(String function, String role, List<Statement> statements, List<String> managedPolicies,
                            Map<String, String> environment) {
    }

    private final Map<String, FunctionPolicies> functions;

    private StackPolicies(Map<String, FunctionPolicies> functions) {
        this.functions = functions;
    }

    static StackPolicies of(JsonNode template, String region, String account, Map<String, String> physicalIds) {
        JsonNode resources = template.get("Resources");
        Map<String, FunctionPolicies> functions = new LinkedHashMap<>();
        resources.properties().forEach(entry -> {
            JsonNode function = entry.getValue();
            if (!"AWS::Lambda::Function".equals(function.path("Type").asText())
                    || !function.at("/Properties/Handler").asText().startsWith("io.perfbox.")) {
                return;
            }
            String id = entry.getKey();
            String role = function.at("/Properties/Role/Fn::GetAtt/0").asText();
            JsonNode roleResource = resources.get(role);
            if (roleResource == null) {
                throw new AssertionError(id + "'s role is not a role of this template: " + function.at("/Properties/Role"));
            }
            List<Statement> statements = new ArrayList<>();
            resources.properties().forEach(p -> {
                JsonNode policy = p.getValue();
                if ("AWS::IAM::Policy".equals(policy.path("Type").asText())) {
                    boolean attached = false;
                    for (JsonNode r : policy.at("/Properties/Roles")) {
                        attached |= role.equals(r.path("Ref").asText());
                    }
                    if (attached) {
                        JsonNode document = ResolvedDefinition.resolved(template,
                                policy.at("/Properties/PolicyDocument"), region, account, physicalIds);
                        read(id, p.getKey(), document, statements);
                    }
                }
            });
            for (JsonNode inline : roleResource.at("/Properties/Policies")) {
                read(id, role + "/" + inline.path("PolicyName").asText(), ResolvedDefinition.resolved(template,
                        inline.path("PolicyDocument"), region, account, physicalIds), statements);
            }
            List<String> managed = new ArrayList<>();
            ResolvedDefinition.resolved(template, roleResource.at("/Properties/ManagedPolicyArns"), region, account,
                    physicalIds).forEach(arn -> managed.add(arn.asText()));
            Map<String, String> environment = new LinkedHashMap<>();
            ResolvedDefinition.resolved(template, function.at("/Properties/Environment/Variables"), region, account,
                    physicalIds).properties().forEach(v -> environment.put(v.getKey(), v.getValue().asText()));
            functions.put(id, new FunctionPolicies(id, role, List.copyOf(statements), List.copyOf(managed),
                    Map.copyOf(environment)));
        });
        return new StackPolicies(Map.copyOf(functions));
    }

    private static void read(String function, String policy, JsonNode document, List<Statement> into) {
        int index = 0;
        for (JsonNode s : document.path("Statement")) {
            for (String field : List.of("NotAction", "NotResource", "Principal", "NotPrincipal")) {
                if (s.has(field)) {
                    throw new AssertionError(policy + " statement " + index + " has " + field
                            + ", which this check does not evaluate: " + s);
                }
            }
            into.add(new Statement(function, policy, index, s.path("Effect").asText(), texts(s.get("Action")),
                    texts(s.get("Resource")), s.path("Condition")));
            index++;
        }
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (node.isTextual()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    Map<String, FunctionPolicies> functions() {
        return functions;
    }

    FunctionPolicies of(String functionId) {
        FunctionPolicies f = functions.get(functionId);
        if (f == null) {
            throw new AssertionError("the template has no perfbox function " + functionId);
        }
        return f;
    }

    /** These policies with {@code action} taken out of every statement of {@code functionId}'s role. */
    StackPolicies withoutAction(String functionId, String action) {
        Map<String, FunctionPolicies> changed = new LinkedHashMap<>(functions);
        FunctionPolicies f = of(functionId);
        List<Statement> statements = f.statements().stream().map(s -> new Statement(s.function(), s.policy(), s.index(),
                s.effect(), s.actions().stream().filter(a -> !a.equals(action)).toList(), s.resources(), s.condition()))
                .toList();
        changed.put(functionId, new FunctionPolicies(f.function(), f.role(), statements, f.managedPolicies(),
                f.environment()));
        return new StackPolicies(Map.copyOf(changed));
    }

    /** The logical id a function of the synthesized stack has in its template. */
    static String logicalId(Function function) {
        return Stack.of(function).getLogicalId((CfnElement) function.getNode().getDefaultChild());
    }
}
