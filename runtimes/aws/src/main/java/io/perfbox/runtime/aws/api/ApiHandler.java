package io.perfbox.runtime.aws.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.ApiRequest;
import io.perfbox.api.ApiResponse;
import io.perfbox.api.PerfboxApi;
import io.perfbox.api.Problem;
import io.perfbox.runtime.aws.AwsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The API Gateway side of the API, and the one handler class of all the API's functions: a REST API proxy event
 * becomes the API's {@link ApiRequest} and its {@link ApiResponse} the proxy response, once, here. API Gateway has
 * routed the request: the event's route, its {@code httpMethod} and {@code resource} (the template, e.g.
 * {@code /jobs/{id}}), names the {@link ApiOperation} ({@link ApiOperation#of}). A route outside the table is 404.
 *
 * <p>The stack deploys one function per operation, each with this class, grants for its operation alone, and
 * {@link AwsSettings#API_OPERATION} naming the operation: the function builds at its start only what that
 * operation uses (the OpenAPI function: no settings, no AWS client, the JSON part of the priming) and answers no
 * other route. The payload is API Gateway's REST API proxy integration input, which CDK's {@code RestApi} with a
 * {@code LambdaIntegration} (proxy by default) sets up: "Input format of a Lambda function for proxy integration",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * (its fields include the top-level {@code resource}, {@code path} and {@code httpMethod} read here).
 *
 * <p>Lambda calls the stream entry with the raw event; the tenant is {@code requestContext.authorizer.tenant}, which
 * the API's Lambda authorizer ({@code io.perfbox.runtime.aws.auth.TenantAuthorizer}) put there after checking the
 * caller's perfbox key. The API Gateway key ({@code identity.apiKeyId}) is only for usage plans: never the tenant.
 */
public final class ApiHandler implements RequestStreamHandler {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    /** What a tenant name looks like (as {@code ApiKeys} creates them); anything else is not taken as an identity. */
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Optional<ApiOperation> only;
    private final Supplier<PerfboxApi> api;

    /**
     * For Lambda: the function's operation from {@link AwsSettings#API_OPERATION}; for a job route, the use cases
     * over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}).
     */
    public ApiHandler() {
        this(System.getenv());
    }

    /** As Lambda builds it, from {@code environment}'s {@link AwsSettings#API_OPERATION}. */
    ApiHandler(Map<String, String> environment) {
        this(operationOf(environment));
    }

    private ApiHandler(Optional<ApiOperation> only) {
        this(only, wiredFor(only));
    }

    /** Every route, over {@code api}. */
    public ApiHandler(PerfboxApi api) {
        this(Optional.empty(), constant(api));
    }

    /** Every route, the API built on first use ({@link ApiRuntime.LazyApi}): the construction makes no SDK client. */
    public ApiHandler(Supplier<PerfboxApi> api) {
        this(Optional.empty(), api);
    }

    /** {@code operation}'s route alone, over {@code api}: as a deployed function that names its operation. */
    public ApiHandler(ApiOperation operation, PerfboxApi api) {
        this(Optional.of(Objects.requireNonNull(operation, "operation")), constant(api));
    }

    private ApiHandler(Optional<ApiOperation> only, Supplier<PerfboxApi> api) {
        this.only = only;
        this.api = Objects.requireNonNull(api, "api");
    }

    /** {@link AwsSettings#API_OPERATION}: the function's one operation, or empty for every one; any other value fails. */
    static Optional<ApiOperation> operationOf(Map<String, String> environment) {
        String name = environment.get(AwsSettings.API_OPERATION);
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(ApiOperation.values()).filter(op -> op.name().equals(name.strip()))
                .findFirst().orElseThrow(() -> new AwsSettings.InvalidSettingException(AwsSettings.API_OPERATION
                        + " is not an API operation (" + name.strip() + "); one of "
                        + Arrays.toString(ApiOperation.values()))));
    }

    private static Supplier<PerfboxApi> constant(PerfboxApi api) {
        Objects.requireNonNull(api, "api");
        return () -> api;
    }

    /** What a function builds at its start: nothing of AWS for the OpenAPI document, which is in the jar. */
    private static Supplier<PerfboxApi> wiredFor(Optional<ApiOperation> only) {
        if (only.equals(Optional.of(ApiOperation.GET_OPENAPI))) {
            ApiRuntime.initWithoutAws();
            return () -> {
                throw new IllegalStateException("the OpenAPI function has no job use cases");
            };
        }
        return ApiRuntime.lazyApi();
    }

    /** The operation this function is deployed for; empty when it answers every route. */
    public Optional<ApiOperation> operation() {
        return only;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        // The event is read and the response written with the streaming parser and generator (ProxyEventJson):
        // no data binding, so the first request loads none of it.
        ProxyEventJson.Event read = ProxyEventJson.read(input);
        writeResponse(output, handle(read.event(), read.tenant()));
    }

    /** The typed entry, for callers that hold an event object (tests, the priming). */
    public APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent event, String tenant) {
        ApiRequest request;
        try {
            request = toRequest(event, tenant);
        } catch (MalformedEvent e) {
            return toEvent(PerfboxApi.withRequestId(e.problem(event.getPath()), incomingRequestId(event)));
        }
        return toEvent(underBasePath(respond(event, request), basePath(event)));
    }

    private static String incomingRequestId(APIGatewayProxyRequestEvent event) {
        return event.getHeaders() == null ? null : event.getHeaders().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase(PerfboxApi.REQUEST_ID)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    /**
     * What API Gateway put in front of the API's own paths: the stage on the execute-api address ({@code /v1}), a
     * custom domain's base path mapping, or nothing. It is the request context's path (the path the client asked
     * for) less the route's own path (the resource with its parameters filled in), so it is right in every case
     * without knowing how the API was reached.
     */
    static String basePath(APIGatewayProxyRequestEvent event) {
        var context = event.getRequestContext();
        if (context == null || context.getPath() == null) {
            return "";
        }
        String route = event.getResource() != null ? filled(event.getResource(), event.getPathParameters())
                : event.getPath();
        String requested = context.getPath();
        if (route == null || !requested.endsWith(route)) {
            return "";
        }
        String base = requested.substring(0, requested.length() - route.length());
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static String filled(String resource, Map<String, String> parameters) {
        String path = resource;
        if (parameters != null) {
            for (var p : parameters.entrySet()) {
                path = path.replace("{" + p.getKey() + "}", p.getValue()).replace("{" + p.getKey() + "+}", p.getValue());
            }
        }
        return path;
    }

    /** The API's Location is relative to its own root ({@code /jobs/{id}}); the client must get it under the base. */
    static ApiResponse underBasePath(ApiResponse response, String basePath) {
        String location = response.headers().get("Location");
        if (basePath.isEmpty() || location == null || !location.startsWith("/")) {
            return response;
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Location", basePath + location);
        return new ApiResponse(response.status(), headers, response.body());
    }

    private ApiResponse respond(APIGatewayProxyRequestEvent event, ApiRequest request) {
        Optional<ApiOperation> routed = ApiOperation.of(event.getHttpMethod(), event.getResource());
        if (routed.isEmpty() || only.isPresent() && only.get() != routed.get()) {
            if (routed.isPresent()) {
                LOG.warning(() -> "the function of " + only.get() + " was sent " + routed.get() + "'s route; answered 404");
            }
            return PerfboxApi.withRequestId(Problem.of(404, "not-found", "No such resource: " + request.method() + " "
                    + request.path() + " (see GET /openapi.json for the API)", request.path()).toResponse(),
                    request.header(PerfboxApi.REQUEST_ID).orElse(null));
        }
        ApiOperation operation = routed.get();
        try {
            return operation == ApiOperation.GET_OPENAPI ? PerfboxApi.openApi(request)
                    : api.get().handle(operation, request);
        } catch (RuntimeException e) {
            return PerfboxApi.withRequestId(PerfboxApi.internalError(request, e),
                    request.header(PerfboxApi.REQUEST_ID).orElse(null));
        }
    }

    /** The raw event JSON as API Gateway sends it; a body that is not valid base64 is the client's 400. */
    static ApiRequest readRequest(InputStream input) throws IOException {
        ProxyEventJson.Event read = ProxyEventJson.read(input);
        return toRequest(read.event(), read.tenant());
    }

    static void writeResponse(OutputStream output, APIGatewayProxyResponseEvent response) throws IOException {
        ProxyEventJson.write(output, response);
    }

    static ApiRequest toRequest(APIGatewayProxyRequestEvent event, String tenant) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (event.getHeaders() != null) {
            headers.putAll(event.getHeaders());
        }
        Map<String, List<String>> multi = event.getMultiValueHeaders();
        if (multi != null) {
            multi.forEach((name, values) -> {
                if (name != null && values != null && !values.isEmpty() && values.get(0) != null) {
                    headers.putIfAbsent(name, values.get(0));
                }
            });
        }
        Optional<String> caller = Optional.ofNullable(tenant).filter(t -> TENANT.matcher(t).matches());
        return new ApiRequest(
                event.getHttpMethod() == null ? "" : event.getHttpMethod(),
                event.getPath(),
                event.getPathParameters(),
                event.getQueryStringParameters(),
                headers,
                body(event),
                caller);
    }

    /** API Gateway base64-encodes binary media types; a body marked so but not base64 reads as empty bytes. */
    private static byte[] body(APIGatewayProxyRequestEvent event) {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new MalformedEvent();
            }
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    static APIGatewayProxyResponseEvent toEvent(ApiResponse response) {
        APIGatewayProxyResponseEvent event = new APIGatewayProxyResponseEvent()
                .withStatusCode(response.status())
                .withHeaders(new LinkedHashMap<>(response.headers()));
        if (response.body().length > 0) {
            event.withBody(new String(response.body(), StandardCharsets.UTF_8));
        }
        return event;
    }

    /** A body API Gateway marked base64 that is not: answered as the client's error. */
    static final class MalformedEvent extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        MalformedEvent() {
            super("The request body is not valid base64");
        }

        ApiResponse problem(String path) {
            return Problem.of(400, "invalid-body-encoding", getMessage(), path).toResponse();
        }
    }
}
