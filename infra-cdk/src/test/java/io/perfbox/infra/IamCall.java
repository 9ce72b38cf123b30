package io.perfbox.infra;

import java.util.Map;

/**
 * One authorization an SDK request needs: the function whose handler sent it (its logical id in the template), the
 * IAM action, one resource ARN ({@code *} for an action without resource-level permissions) and the condition keys
 * the request carries (their values as IAM would see them). {@code operation} names the SDK call it came from.
 */
record IamCall(String function, String operation, String action, String resource, Map<String, String> context) {
    IamCall {
        context = Map.copyOf(context);
    }

    @Override
    public String toString() {
        return function + ": " + operation + " needs " + action + " on " + resource
                + (context.isEmpty() ? "" : " with " + new java.util.TreeMap<>(context));
    }
}
