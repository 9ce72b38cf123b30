package io.perfbox.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 9457 problem details: every error the API returns has this shape and media type. */
public record Problem(String type, String title, int status, String detail, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * slug: a short stable name for the kind of problem, e.g. {@code dockerfile-too-large}, one of {@link ProblemType}
     * (whose title the problem carries; a slug it does not list falls back to the status's title).
     */
    public static Problem of(int status, String slug, String detail, String instance) {
        String title = ProblemType.of(slug).map(ProblemType::title).orElseGet(() -> titleFor(status));
        return new Problem(ProblemType.URI_PREFIX + slug, title, status, detail, instance);
    }

    public ApiResponse toResponse() {
        return toResponse(Map.of());
    }

    public ApiResponse toResponse(Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", MEDIA_TYPE);
        headers.put("Cache-Control", "no-store");
        headers.putAll(extraHeaders);
        return new ApiResponse(status, headers, ResponseJson.bytes(this));
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
