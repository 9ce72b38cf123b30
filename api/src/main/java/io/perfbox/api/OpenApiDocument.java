package io.perfbox.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** openapi.json, the API's description, read once from the class path. */
public final class OpenApiDocument {
    public static final String RESOURCE = "/io/perfbox/api/openapi.json";
    private static final String DOCUMENT = load();

    private OpenApiDocument() {
    }

    public static String json() {
        return DOCUMENT;
    }

    private static String load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
