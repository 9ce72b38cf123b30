package io.perfbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.InvalidInputException.Kind;
import io.perfbox.core.domain.Runs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Turns a POST /jobs request into a {@link SubmitJobCommand}. Accepted bodies: the Dockerfile itself
 * (text/plain or application/octet-stream), or JSON with {@code dockerfile} or {@code dockerfileGzipBase64}.
 */
public final class SubmitRequestParser {
    /** JSON escapes can make a 64 KiB Dockerfile up to six times longer. */
    public static final int MAX_JSON_BODY = 6 * Dockerfile.MAX_BYTES + 16 * 1024;

    private static final Set<String> RAW_TYPES = Set.of("text/plain", "application/octet-stream", "");

    private SubmitRequestParser() {
    }

    public static SubmitJobCommand parse(ApiRequest request, String owner) {
        Optional<String> idempotencyKey = request.header("Idempotency-Key").map(String::strip);
        String type = request.mediaType();
        byte[] body = request.body();
        if (RAW_TYPES.contains(type)) {
            request.charset().filter(cs -> !cs.equals("utf-8") && !cs.equals("utf8") && !cs.equals("us-ascii"))
                    .ifPresent(cs -> {
                        throw new InvalidInputException(Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported-charset",
                                "Dockerfiles must be UTF-8; charset=" + cs + " is not accepted");
                    });
            if (body.length == 0) {
                throw new InvalidInputException("empty-dockerfile", "The request body is empty: send the Dockerfile");
            }
            return new SubmitJobCommand(owner, null, null, Dockerfile.fromUtf8(body), idempotencyKey);
        }
        if (type.equals("application/json") || type.endsWith("+json")) {
            return fromJson(body, owner, idempotencyKey);
        }
        throw new InvalidInputException(Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                "Content-Type " + type + " is not accepted: send the Dockerfile as text/plain or "
                        + "application/octet-stream, or JSON (application/json) with \"dockerfile\" or \"dockerfileGzipBase64\"");
    }

    private static SubmitJobCommand fromJson(byte[] body, String owner, Optional<String> idempotencyKey) {
        if (body.length > MAX_JSON_BODY) {
            throw new InvalidInputException(Kind.TOO_LARGE, "request-too-large",
                    "The JSON body is larger than " + MAX_JSON_BODY + " bytes");
        }
        if (body.length == 0) {
            throw new InvalidInputException("empty-body", "The request body is empty: send a JSON object with \"dockerfile\"");
        }
        String text = Dockerfile.decodeUtf8(body, "The request body");
        JsonNode root;
        try {
            root = ApiJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("invalid-json", "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // Jackson throws this, not a JsonProcessingException, for an exponent beyond int range (1e9999999999).
            throw new InvalidInputException("invalid-json", "The request body has a number out of the range of a double");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("invalid-json", "The request body must be a JSON object");
        }
        String name = optionalText(root, "name");
        String description = optionalText(root, "description");
        // The Dockerfile fields are strings when present (openapi.json): an explicit null is a malformed field.
        String plain = optionalText(root, "dockerfile", false);
        String gzipped = optionalText(root, "dockerfileGzipBase64", false);
        if (plain != null && gzipped != null) {
            throw new InvalidInputException("ambiguous-dockerfile", "Send either \"dockerfile\" or \"dockerfileGzipBase64\", not both");
        }
        Dockerfile dockerfile;
        if (plain != null) {
            dockerfile = new Dockerfile(plain);
        } else if (gzipped != null) {
            dockerfile = Dockerfile.fromUtf8(gunzipBounded(decodeBase64(gzipped)));
        } else {
            throw new InvalidInputException("missing-dockerfile",
                    "The JSON body needs a \"dockerfile\" (text) or \"dockerfileGzipBase64\" field");
        }
        return new SubmitJobCommand(owner, name, description, dockerfile, idempotencyKey, runs(root));
    }

    /**
     * The {@code runs} field: absent or null for the default (one run); otherwise a JSON number with a whole value
     * from 1 to 10 (as JSON Schema's integer: {@code 3} and {@code 3.0} alike). A string ("3"), a fraction, a boolean
     * or a number out of range is a 400 naming the field and the range.
     */
    static int runs(JsonNode root) {
        JsonNode node = root.get("runs");
        if (node == null || node.isNull()) {
            return Runs.DEFAULT;
        }
        if (!node.isNumber()) {
            throw SubmitJobCommand.invalidRuns("a " + node.getNodeType().name().toLowerCase(Locale.ROOT)
                    + (node.isTextual() ? " (send the number without quotes)" : ""));
        }
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw SubmitJobCommand.invalidRuns("a number out of the range of a double");
        }
        BigDecimal value = node.decimalValue();
        boolean whole = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        if (!whole || value.compareTo(BigDecimal.valueOf(Runs.MIN)) < 0
                || value.compareTo(BigDecimal.valueOf(Runs.MAX)) > 0) {
            String shown = node.asText();
            throw SubmitJobCommand.invalidRuns(shown.length() > 40 ? shown.substring(0, 40) + "…" : shown);
        }
        return value.intValueExact();
    }

    private static String optionalText(JsonNode root, String field) {
        return optionalText(root, field, true);
    }

    private static String optionalText(JsonNode root, String field, boolean nullable) {
        JsonNode node = root.get(field);
        if (node == null || (nullable && node.isNull())) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidInputException("invalid-field", "\"" + field + "\" must be a string, not " + node.getNodeType().name().toLowerCase());
        }
        return node.textValue();
    }

    private static byte[] decodeBase64(String text) {
        // Tools often wrap base64 at 76 columns; whitespace is dropped, anything else must be valid.
        String compact = text.replaceAll("[\\s]", "");
        if (compact.isEmpty()) {
            throw new InvalidInputException("invalid-base64", "\"dockerfileGzipBase64\" is empty");
        }
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid-base64", "\"dockerfileGzipBase64\" is not valid base64: " + e.getMessage());
        }
    }

    /** Decompresses, reading at most one byte past the limit, so a gzip bomb costs nothing. */
    static byte[] gunzipBounded(byte[] compressed) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            byte[] out = in.readNBytes(Dockerfile.MAX_BYTES + 1);
            if (out.length > Dockerfile.MAX_BYTES) {
                throw new InvalidInputException(Kind.TOO_LARGE, "dockerfile-too-large",
                        "The decompressed Dockerfile is over the limit of " + Dockerfile.MAX_BYTES + " bytes (64 KiB)");
            }
            return out;
        } catch (ZipException e) {
            throw new InvalidInputException("invalid-gzip", "\"dockerfileGzipBase64\" is not valid gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw new InvalidInputException("invalid-gzip", "\"dockerfileGzipBase64\" could not be decompressed: " + e.getMessage());
        }
    }
}
