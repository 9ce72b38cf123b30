package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's routes, as API Gateway resources ({@code /jobs/{id}}) with the handler behind each method.
 * The local server matches requests here; the AWS stack maps the same resources to one Lambda per handler.
 */
public final class ApiRoutes {
    public record Route(String method, String resource, RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler) {
    }

    /** A matched route and the path parameters taken from the request path. */
    public record Match(Route route, Map<String, String> pathParameters) {
    }

    private final List<Route> routes;

    public ApiRoutes(JobService jobs) {
        this.routes = List.of(
                new Route("POST", "/jobs", new SubmitJobHandler(jobs)),
                new Route("GET", "/jobs", new ListJobsHandler(jobs)),
                new Route("GET", "/jobs/{id}", new GetJobHandler(jobs)),
                new Route("DELETE", "/jobs/{id}", new DeleteJobHandler(jobs)),
                new Route("GET", "/jobs/{id}/logs", new GetJobLogsHandler(jobs)),
                new Route("GET", "/jobs/{id}/scan", new GetJobScanHandler(jobs)),
                new Route("GET", "/openapi.json", new OpenApiHandler(OpenApiHandler.document())));
    }

    public List<Route> routes() {
        return routes;
    }

    /** Methods allowed on the resource the path matches (empty when no resource matches: a 404). */
    public List<String> methodsFor(String path) {
        return routes.stream().filter(r -> params(r.resource(), path).isPresent()).map(Route::method).toList();
    }

    public Optional<Match> match(String method, String path) {
        for (Route r : routes) {
            if (r.method().equalsIgnoreCase(method)) {
                Optional<Map<String, String>> p = params(r.resource(), path);
                if (p.isPresent()) {
                    return Optional.of(new Match(r, p.get()));
                }
            }
        }
        return Optional.empty();
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    private static Optional<Map<String, String>> params(String resource, String path) {
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
                out.put(m.group(1), java.net.URLDecoder.decode(got[i], java.nio.charset.StandardCharsets.UTF_8));
            } else if (!want[i].equals(got[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }
}
