package io.perfbox.runtime.aws.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.perfbox.core.json.JsonText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API Gateway's REST proxy events read and its responses written with Jackson's streaming parser and generator,
 * as the event classes' data binding read and wrote them before, without it: the mapper and the deserializers it
 * builds by reflection would be most of the classes a function's first request loads (issue 22). Only the fields
 * the functions use are read ({@code resource}, {@code path}, {@code httpMethod}, the headers, query string and path
 * parameters, {@code body}, {@code isBase64Encoded}, {@code requestContext.path} and the authorizer's
 * {@code tenant}); every other field is skipped, as the data binding ignored the ones its classes lack. A response
 * leaves out what is null, as before.
 */
final class ProxyEventJson {
    private ProxyEventJson() {
    }

    /** An event and the tenant the authorizer put in its request context (null without one). */
    record Event(APIGatewayProxyRequestEvent event, String tenant) {
    }

    static Event read(InputStream input) throws IOException {
        try (JsonParser p = JsonText.FACTORY.createParser(input)) {
            APIGatewayProxyRequestEvent event = new APIGatewayProxyRequestEvent();
            String tenant = null;
            expect(p, p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "resource" -> event.setResource(text(p, value));
                    case "path" -> event.setPath(text(p, value));
                    case "httpMethod" -> event.setHttpMethod(text(p, value));
                    case "body" -> event.setBody(text(p, value));
                    case "isBase64Encoded" -> event.setIsBase64Encoded(bool(p, value));
                    case "headers" -> event.setHeaders(texts(p, value));
                    case "queryStringParameters" -> event.setQueryStringParameters(texts(p, value));
                    case "pathParameters" -> event.setPathParameters(texts(p, value));
                    case "multiValueHeaders" -> event.setMultiValueHeaders(lists(p, value));
                    case "multiValueQueryStringParameters" -> event.setMultiValueQueryStringParameters(lists(p, value));
                    case "requestContext" -> {
                        if (value == JsonToken.START_OBJECT) {
                            var context = new APIGatewayProxyRequestEvent.ProxyRequestContext();
                            tenant = requestContext(p, context);
                            event.setRequestContext(context);
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw mismatch(p, "requestContext");
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return new Event(event, tenant);
        }
    }

    /** Reads the request context's path and the authorizer's tenant (a string only); returns the tenant. */
    private static String requestContext(JsonParser p, APIGatewayProxyRequestEvent.ProxyRequestContext context)
            throws IOException {
        String tenant = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "path" -> context.setPath(text(p, value));
                case "resourcePath" -> context.setResourcePath(text(p, value));
                case "httpMethod" -> context.setHttpMethod(text(p, value));
                case "stage" -> context.setStage(text(p, value));
                case "requestId" -> context.setRequestId(text(p, value));
                case "authorizer" -> {
                    tenant = null;
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken v = p.nextToken();
                            if (name.equals("tenant")) {
                                tenant = v == JsonToken.VALUE_STRING ? p.getText() : null;
                            }
                            p.skipChildren();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return tenant;
    }

    /** A string field: a string, null, or another scalar as its text (as the data binding coerced it). */
    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getText();
        }
        throw mismatch(p, p.currentName());
    }

    private static Boolean bool(JsonParser p, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case VALUE_STRING -> switch (p.getText()) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw mismatch(p, p.currentName());
            };
            default -> throw mismatch(p, p.currentName());
        };
    }

    private static Map<String, String> texts(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, value, JsonToken.START_OBJECT);
        Map<String, String> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            map.put(name, text(p, p.nextToken()));
        }
        return map;
    }

    private static Map<String, List<String>> lists(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, value, JsonToken.START_OBJECT);
        Map<String, List<String>> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken list = p.nextToken();
            if (list == JsonToken.VALUE_NULL) {
                map.put(name, null);
                continue;
            }
            expect(p, list, JsonToken.START_ARRAY);
            List<String> values = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new JsonParseException(p, "the event ends inside " + name);
                }
                values.add(text(p, t));
            }
            map.put(name, values);
        }
        return map;
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new JsonParseException(p, "expected " + expected + " but the event has " + actual);
        }
    }

    private static IOException mismatch(JsonParser p, String field) {
        return new JsonParseException(p, "the event's " + field + " has a value of the wrong type");
    }

    /** The response as the data binding wrote it: statusCode, headers, multiValueHeaders, body, isBase64Encoded, nulls left out. */
    static void write(OutputStream output, APIGatewayProxyResponseEvent response) throws IOException {
        JsonGenerator g = JsonText.FACTORY.createGenerator(output);
        g.writeStartObject();
        if (response.getStatusCode() != null) {
            g.writeNumberField("statusCode", response.getStatusCode());
        }
        if (response.getHeaders() != null) {
            g.writeFieldName("headers");
            g.writeStartObject();
            for (var h : response.getHeaders().entrySet()) {
                if (h.getValue() != null) { // NON_NULL left out null entries of maps as well
                    g.writeStringField(h.getKey(), h.getValue());
                }
            }
            g.writeEndObject();
        }
        if (response.getMultiValueHeaders() != null) {
            g.writeFieldName("multiValueHeaders");
            g.writeStartObject();
            for (var h : response.getMultiValueHeaders().entrySet()) {
                if (h.getValue() != null) {
                    g.writeFieldName(h.getKey());
                    JsonText.writeValue(g, h.getValue());
                }
            }
            g.writeEndObject();
        }
        if (response.getBody() != null) {
            g.writeStringField("body", response.getBody());
        }
        if (response.getIsBase64Encoded() != null) {
            g.writeBooleanField("isBase64Encoded", response.getIsBase64Encoded());
        }
        g.writeEndObject();
        // The stream is Lambda's: flushed, never closed (as AUTO_CLOSE_TARGET off did).
        g.flush();
    }
}
