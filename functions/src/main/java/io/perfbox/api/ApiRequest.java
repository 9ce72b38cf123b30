package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import io.perfbox.core.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Read-only helpers over an API Gateway REST proxy event (headers are case-insensitive, bodies may be base64).
 * {@code apiKeyId} is {@code requestContext.identity.apiKeyId} of the raw event when the handler could read it
 * (the event classes have no field for it); null otherwise.
 */
public record ApiRequest(APIGatewayProxyRequestEvent event, String apiKeyId) {
    /** What API Gateway's key ids look like; anything else is not taken as an identity. */
    private static final Pattern API_KEY_ID = Pattern.compile("[A-Za-z0-9]{1,128}");

    public ApiRequest(APIGatewayProxyRequestEvent event) {
        this(event, null);
    }

    /**
     * The caller (the tenant), from the API key API Gateway checked. Its id, when the event carries one, is the
     * owner: stable across the key's lifetime and not a secret. Without it (the local runtime builds events
     * itself) the owner is a digest of the key: stable per key, and no secret is ever stored with a job.
     */
    public Optional<String> owner() {
        if (apiKeyId != null && API_KEY_ID.matcher(apiKeyId).matches()) {
            return Optional.of(apiKeyId);
        }
        var ctx = event.getRequestContext();
        if (ctx == null || ctx.getIdentity() == null) {
            return Optional.empty();
        }
        String key = ctx.getIdentity().getApiKey();
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return Optional.of("key-" + HexFormat.of().formatHex(digest, 0, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<String> header(String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers != null) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null) {
                    return Optional.of(e.getValue());
                }
            }
        }
        Map<String, List<String>> multi = event.getMultiValueHeaders();
        if (multi != null) {
            for (Map.Entry<String, List<String>> e : multi.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null && !e.getValue().isEmpty()) {
                    return Optional.ofNullable(e.getValue().get(0));
                }
            }
        }
        return Optional.empty();
    }

    public Optional<String> query(String name) {
        Map<String, String> q = event.getQueryStringParameters();
        return q == null ? Optional.empty() : Optional.ofNullable(q.get(name));
    }

    public Optional<String> pathParameter(String name) {
        Map<String, String> p = event.getPathParameters();
        return p == null ? Optional.empty() : Optional.ofNullable(p.get(name));
    }

    public String path() {
        return event.getPath() == null ? "" : event.getPath();
    }

    /** The raw body bytes (decoding base64 when API Gateway or the local server marked it so). */
    public byte[] bodyBytes() {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (Boolean.TRUE.equals(event.getIsBase64Encoded())) {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("invalid-body-encoding", "The request body is not valid base64");
            }
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** The media type of the body without parameters, lower case; empty if none was sent. */
    public String mediaType() {
        return header("Content-Type").map(ct -> ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
    }

    /** The charset parameter of Content-Type, if any, lower case. */
    public Optional<String> charset() {
        return header("Content-Type").flatMap(ct -> {
            for (String part : ct.split(";")) {
                String p = part.strip();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    return Optional.of(p.substring(8).replace("\"", "").strip().toLowerCase(Locale.ROOT));
                }
            }
            return Optional.empty();
        });
    }
}
