package io.perfbox.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small IAM evaluator over the stack's identity policies ({@link StackPolicies}), for the calls the functions'
 * handlers made ({@link SdkCallRecorder}). A call is allowed when a statement of its function's role allows its
 * action on its resource with every condition holding, and none denies it. The condition operators and keys it
 * knows are below; a statement that needs another one for a call fails the check (never passes it). Then the other
 * way round: every (statement, action, resource) a function is granted must be used by one of its calls, and no
 * statement may grant {@code *} for an action that has resource-level permissions.
 */
final class IamEvaluator {
    /** Condition keys whose values the recorder knows; prefixes end in "/". */
    static final Set<String> KNOWN_KEYS = Set.of("ecs:cluster", "iam:PassedToService", "ecs:CreateAction",
            "elasticfilesystem:CreateAction", "aws:ResourceTag/", "aws:RequestTag/", "iam:PermissionsBoundary",
            "aws:TagKeys");

    /**
     * Grants AWS uses on the function's behalf, not its handler's SDK calls: never recorded, so never called unused.
     * (Their resources are still checked.)
     */
    static final Map<String, String> NOT_SDK_CALLS = Map.of(
            "xray:PutTraceSegments", "Lambda's active tracing sends the function's trace segments",
            "xray:PutTelemetryRecords", "Lambda's active tracing sends the function's trace telemetry",
            "elasticfilesystem:ClientMount", "Lambda mounts the job file system for the function (NFS)",
            "elasticfilesystem:ClientWrite", "Lambda mounts the job file system for the function (NFS)",
            "elasticfilesystem:ClientRootAccess", "Lambda mounts the job file system for the function (NFS)",
            "sqs:SendMessage", "Lambda's on-failure destination of the function's asynchronous invocations",
            "sqs:GetQueueAttributes", "Lambda's on-failure destination of the function's asynchronous invocations",
            "sqs:GetQueueUrl", "Lambda's on-failure destination of the function's asynchronous invocations");

    /** AWS managed policies a function's role may carry: the runtime's own log writes and VPC network interfaces. */
    static final Set<String> MANAGED_POLICIES = Set.of(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");

    /** Actions without resource-level permissions (the service authorization reference): "*" is their only resource. */
    static final Set<String> NO_RESOURCE_LEVEL = Set.of("xray:PutTraceSegments", "xray:PutTelemetryRecords",
            "ecs:ListTasks", "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition", "iam:ListRoles");

    /**
     * Grants of {@code *} for an action that has resource-level permissions, accepted because their statement is
     * conditioned to one resource instead (a statement without a condition is still reported).
     */
    static final Map<String, String> STAR_WITH_CONDITION = Map.of("elasticfilesystem:ClientMount",
            "CDK's grant for the Lambda's file system: conditioned on the workspace access point "
                    + "(elasticfilesystem:AccessPointArn), narrower than the file system's ARN");

    /** What the check found; {@link #clean()} when nothing. */
    record Report(List<String> denied, List<String> unused, List<String> broad, List<String> problems) {
        boolean clean() {
            return denied.isEmpty() && unused.isEmpty() && broad.isEmpty() && problems.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            section(out, "calls no statement allows (missing grant or wrong resource)", denied);
            section(out, "unused grants (no recorded call needs them)", unused);
            section(out, "grants broader than needed", broad);
            section(out, "calls that could not be evaluated", problems);
            return out.length() == 0 ? "clean" : out.toString();
        }

        private static void section(StringBuilder out, String title, List<String> lines) {
            if (!lines.isEmpty()) {
                out.append(title).append(":\n");
                lines.forEach(l -> out.append("  - ").append(l).append('\n'));
            }
        }
    }

    private record Grant(StackPolicies.Statement statement, String action, String resource) {
        @Override
        public String toString() {
            return statement.function() + ": " + action + " on " + resource + " (" + statement.where() + ")";
        }
    }

    private IamEvaluator() {
    }

    static Report check(StackPolicies policies, List<IamCall> calls, List<String> recordingProblems) {
        List<String> denied = new ArrayList<>();
        List<String> problems = new ArrayList<>(recordingProblems);
        Set<Grant> used = new LinkedHashSet<>();
        for (IamCall call : calls) {
            StackPolicies.FunctionPolicies function = policies.functions().get(call.function());
            if (function == null) {
                problems.add(call + ": the template has no such perfbox function");
                continue;
            }
            try {
                boolean allowed = false;
                boolean deniedExplicitly = false;
                for (StackPolicies.Statement s : function.statements()) {
                    for (String action : s.actions()) {
                        if (!matches(action, call.action(), true)) {
                            continue;
                        }
                        for (String resource : s.resources()) {
                            if (matches(resource, call.resource(), false) && conditionsHold(s, call)) {
                                if ("Deny".equals(s.effect())) {
                                    deniedExplicitly = true;
                                } else {
                                    allowed = true;
                                    used.add(new Grant(s, action, resource));
                                }
                            }
                        }
                    }
                }
                if (deniedExplicitly) {
                    denied.add(call + ": denied by a statement");
                } else if (!allowed) {
                    denied.add(call + ": no statement allows it");
                }
            } catch (IllegalStateException e) {
                problems.add(call + ": " + e.getMessage());
            }
        }
        List<String> unused = new ArrayList<>();
        List<String> broad = new ArrayList<>();
        for (StackPolicies.FunctionPolicies function : policies.functions().values()) {
            function.managedPolicies().stream().filter(arn -> !MANAGED_POLICIES.contains(arn))
                    .forEach(arn -> broad.add(function.function() + ": managed policy " + arn));
            for (StackPolicies.Statement s : function.statements()) {
                if (!"Allow".equals(s.effect())) {
                    continue;
                }
                for (String action : s.actions()) {
                    if (action.contains("*")) {
                        broad.add(function.function() + ": wildcard action " + action + " (" + s.where() + ")");
                    }
                    for (String resource : s.resources()) {
                        Grant grant = new Grant(s, action, resource);
                        boolean conditioned = s.condition() != null && !s.condition().isMissingNode()
                                && !s.condition().isEmpty();
                        if (resource.equals("*") && !NO_RESOURCE_LEVEL.contains(action)
                                && !(conditioned && STAR_WITH_CONDITION.containsKey(action))) {
                            broad.add(grant + ": * although the action has resource-level permissions");
                        }
                        if (!NOT_SDK_CALLS.containsKey(action) && !used.contains(grant)) {
                            unused.add(grant.toString());
                        }
                    }
                }
            }
        }
        return new Report(denied, unused, broad, problems);
    }

    /** IAM's wildcard match: * any run of characters, ? one; actions ignore case, resources do not. */
    static boolean matches(String pattern, String value, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        Pattern p = ignoreCase ? Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE)
                : Pattern.compile(regex.toString());
        return p.matcher(value).matches();
    }

    private static boolean conditionsHold(StackPolicies.Statement s, IamCall call) {
        JsonNode condition = s.condition();
        if (condition == null || condition.isMissingNode() || condition.isEmpty()) {
            return true;
        }
        for (Map.Entry<String, JsonNode> operator : condition.properties()) {
            for (Map.Entry<String, JsonNode> test : operator.getValue().properties()) {
                String key = test.getKey();
                if (!known(key)) {
                    throw new IllegalStateException("condition key " + key + " in " + s.where()
                            + " is not one this check evaluates (" + KNOWN_KEYS + ")");
                }
                List<String> values = new ArrayList<>();
                if (test.getValue().isArray()) {
                    test.getValue().forEach(v -> values.add(v.asText()));
                } else {
                    values.add(test.getValue().asText());
                }
                String actual = call.context().get(key);
                if (!holds(operator.getKey(), actual, values, s)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean known(String key) {
        return KNOWN_KEYS.contains(key) || KNOWN_KEYS.stream().anyMatch(k -> k.endsWith("/") && key.startsWith(k)
                && key.length() > k.length());
    }

    private static boolean holds(String operator, String actual, List<String> values, StackPolicies.Statement s) {
        return switch (operator) {
            case "StringEquals", "ArnEquals" -> actual != null && values.contains(actual);
            case "StringEqualsIgnoreCase" -> actual != null
                    && values.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).equals(actual.toLowerCase(Locale.ROOT)));
            case "StringNotEquals", "ArnNotEquals" -> actual == null || !values.contains(actual);
            case "StringLike", "ArnLike" -> actual != null && values.stream().anyMatch(v -> matches(v, actual, false));
            // Multi-valued keys (aws:TagKeys): every value of the request's among the listed ones; none present holds.
            case "ForAllValues:StringEquals" -> actual == null
                    || IamCall.values(actual).stream().allMatch(values::contains);
            // Null "false": the key is present; "true": it is absent.
            case "Null" -> values.stream().allMatch(v -> v.equals("true") == (actual == null));
            default -> throw new IllegalStateException("condition operator " + operator + " in " + s.where()
                    + " is not one this check evaluates");
        };
    }
}
