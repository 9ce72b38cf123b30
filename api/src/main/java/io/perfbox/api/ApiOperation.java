package io.perfbox.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's route table, written once: each operation's method, resource (API Gateway's path template) and the
 * operationId openapi.json gives it. The local server matches requests against it; the AWS stack makes one API
 * Gateway resource and method, and one Lambda, per entry, and the Lambdas' one handler class finds the operation of
 * each event by its route ({@link #of}).
 */
public enum ApiOperation {
    SUBMIT_JOB("POST", "/jobs", "submitJob"),
    LIST_JOBS("GET", "/jobs", "listJobs"),
    GET_JOB("GET", "/jobs/{id}", "getJob"),
    DELETE_JOB("DELETE", "/jobs/{id}", "deleteJob"),
    CANCEL_JOB("POST", "/jobs/{id}/cancel", "cancelJob"),
    GET_JOB_LOGS("GET", "/jobs/{id}/logs", "getJobLogs"),
    GET_JOB_SCAN("GET", "/jobs/{id}/scan", "getJobScan"),
    GET_JOB_DOCKERFILE("GET", "/jobs/{id}/dockerfile", "getJobDockerfile"),
    GET_LEADERBOARD("GET", "/leaderboard", "getLeaderboard"),
    GET_LEADERBOARD_HISTORY("GET", "/leaderboard/history", "getLeaderboardHistory"),
    GET_OPENAPI("GET", "/openapi.json", "getOpenApi");

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    private final String method;
    private final String resource;
    private final String operationId;

    ApiOperation(String method, String resource, String operationId) {
        this.method = method;
        this.resource = resource;
        this.operationId = operationId;
    }

    public String method() {
        return method;
    }

    public String resource() {
        return resource;
    }

    public String operationId() {
        return operationId;
    }

    /** An operation matched to a request path, with the path parameters taken from it. */
    public record Match(ApiOperation operation, Map<String, String> pathParameters) {
    }

    public static Optional<Match> match(String method, String path) {
        for (ApiOperation op : values()) {
            if (op.method.equalsIgnoreCase(method)) {
                Optional<Map<String, String>> p = op.parameters(path);
                if (p.isPresent()) {
                    return Optional.of(new Match(op, p.get()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The operation of a route as API Gateway names it: the method and the resource template (an API Gateway proxy
     * event's {@code httpMethod} and {@code resource}, e.g. {@code GET} and {@code /jobs/{id}}), matched exactly.
     * Empty for a route not in this table, or an event without them.
     */
    public static Optional<ApiOperation> of(String method, String resource) {
        if (method == null || resource == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(op -> op.method.equalsIgnoreCase(method) && op.resource.equals(resource))
                .findFirst();
    }

    /** Methods allowed on the resource the path matches (empty when no resource matches: a 404). */
    public static List<String> methodsFor(String path) {
        return Arrays.stream(values()).filter(op -> op.parameters(path).isPresent()).map(ApiOperation::method).toList();
    }

    private Optional<Map<String, String>> parameters(String path) {
        String[] want = resource.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            Matcher m = PARAM.matcher(want[i]);
            if (m.matches()) {
                if (got[i].isEmpty()) {
                    return Optional.empty();
                }
                out.put(m.group(1), decode(got[i]));
            } else if (!want[i].equals(got[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
