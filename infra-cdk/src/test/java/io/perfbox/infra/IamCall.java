package io.perfbox.infra;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One authorization an SDK request needs: the function whose handler sent it (its logical id in the template), the
 * IAM action, one resource ARN ({@code *} for an action without resource-level permissions) and the condition keys
 * the request carries (their values as IAM would see them). {@code operation} names the SDK call it came from.
 */
record IamCall(String function, String operation, String action, String resource, Map<String, String> context) {
    IamCall {
        context = Map.copyOf(context);
    }

    /** A multi-valued key's values (aws:TagKeys) in one context entry, a newline between two. */
    static String multiValued(Collection<String> values) {
        return String.join("\n", values);
    }

    static List<String> values(String multiValued) {
        return List.of(multiValued.split("\n", -1));
    }

    @Override
    public String toString() {
        return function + ": " + operation + " needs " + action + " on " + resource
                + (context.isEmpty() ? "" : " with " + new TreeMap<>(context));
    }
}
