package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.logging.JobLogContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A thin API handler: event → command → use case → response. Domain exceptions become problem+json
 * here, at the edge, and nothing else ever leaks: an unexpected error is a 500 with a reference, no trace.
 *
 * <p>Two entry points, one behaviour. On Lambda the runtime calls the stream one (it prefers
 * {@code handleRequest(InputStream, OutputStream, Context)} over the typed overload), which reads the raw event
 * so that {@code requestContext.identity.apiKeyId}, which the event classes drop, can name the tenant. The local
 * server calls the typed one with events it builds itself.
 */
public abstract class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>,
        RequestStreamHandler {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    /** API Gateway's proxy events: fields the event classes lack are ignored; nulls are left out of responses. */
    private static final ObjectMapper EVENTS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** Thrown by handlers for a request without a caller identity. */
    protected static final class UnauthenticatedException extends RuntimeException {
        UnauthenticatedException() {
            super("The request carries no API key identity");
        }
    }

    @Override
    public final APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        return respond(new ApiRequest(event));
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        writeResponse(output, respond(readRequest(input)));
    }

    /** The stream entry's reading: the raw event JSON as API Gateway sends it. */
    static ApiRequest readRequest(InputStream input) throws IOException {
        JsonNode raw = EVENTS.readTree(input);
        APIGatewayProxyRequestEvent event = EVENTS.treeToValue(raw, APIGatewayProxyRequestEvent.class);
        String apiKeyId = raw.path("requestContext").path("identity").path("apiKeyId").textValue();
        return new ApiRequest(event, apiKeyId);
    }

    /** The stream entry's writing: the response event as API Gateway reads it. */
    static void writeResponse(OutputStream output, APIGatewayProxyResponseEvent response) throws IOException {
        EVENTS.writeValue(output, response);
    }

    /** Every line logged while answering a request on a job ({@code /jobs/{id}...}) carries that job's id. */
    private APIGatewayProxyResponseEvent respond(ApiRequest request) {
        return JobLogContext.with(loggedJobId(request), () -> respondInContext(request));
    }

    /** The path's job id when it is well formed; a malformed one is answered with 400 and logged under no job. */
    private static String loggedJobId(ApiRequest request) {
        try {
            return request.pathParameter("id").map(JobId::parse).map(JobId::value).orElse(null);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private APIGatewayProxyResponseEvent respondInContext(ApiRequest request) {
        APIGatewayProxyRequestEvent event = request.event();
        try {
            return handle(request);
        } catch (InvalidInputException e) {
            int status = switch (e.kind()) {
                case BAD_REQUEST -> 400;
                case TOO_LARGE -> 413;
                case UNSUPPORTED_MEDIA_TYPE -> 415;
                case CONFLICT -> 409;
            };
            return Problem.of(status, e.reason(), e.getMessage(), request.path()).toResponse();
        } catch (JobNotFoundException e) {
            return Problem.of(404, "job-not-found", e.getMessage(), request.path()).toResponse();
        } catch (UnauthenticatedException e) {
            return Problem.of(401, "unauthenticated", e.getMessage(), request.path()).toResponse();
        } catch (RuntimeException e) {
            String reference = UUID.randomUUID().toString();
            LOG.log(Level.SEVERE, "unexpected error handling " + event.getHttpMethod() + " " + request.path()
                    + " (reference " + reference + ")", e);
            return Problem.of(500, "internal-error",
                    "perfbox could not complete the request; reference " + reference, request.path()).toResponse();
        }
    }

    protected abstract APIGatewayProxyResponseEvent handle(ApiRequest request);

    protected static String owner(ApiRequest request) {
        return request.owner().orElseThrow(UnauthenticatedException::new);
    }

    protected static JobId jobId(ApiRequest request) {
        return JobId.parse(request.pathParameter("id").orElse(""));
    }

    protected static APIGatewayProxyResponseEvent json(int status, Object body) {
        return json(status, body, Map.of());
    }

    protected static APIGatewayProxyResponseEvent json(int status, Object body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Cache-Control", "no-store");
        headers.putAll(extraHeaders);
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(headers).withBody(ApiJson.write(body));
    }
}
