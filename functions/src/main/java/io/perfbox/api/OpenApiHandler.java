package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** GET /openapi.json: the API's description, served from the classpath (read once). */
public class OpenApiHandler extends ApiHandler {
    public static final String RESOURCE = "/io/perfbox/api/openapi.json";
    private static final String DOCUMENT = load();

    private final String document;

    /** For Lambda: needs no AWS client (the document is part of the jar), only the container's logging and priming. */
    public OpenApiHandler() {
        this(DOCUMENT);
        ApiRuntime.withoutAws();
    }

    /** Serves {@code document} (the local server passes {@link #document()}). */
    public OpenApiHandler(String document) {
        this.document = java.util.Objects.requireNonNull(document, "document");
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return new APIGatewayProxyResponseEvent().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json", "Cache-Control", "max-age=300"))
                .withBody(document);
    }

    public static String document() {
        return DOCUMENT;
    }

    private static String load() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
