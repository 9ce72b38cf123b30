package io.perfbox.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every kind of problem the API answers, by its slug: its type URI ({@code urn:perfbox:problem:<slug>}) and its own
 * title. openapi.json lists each one (the Problem schema's {@code type}); ProblemTypesTest holds the slugs the code
 * can produce, this enum and that list to one another.
 */
public enum ProblemType {
    // Routing and the transport
    NOT_FOUND("not-found", "No such resource"),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed on this resource"),
    UNAUTHENTICATED("unauthenticated", "No caller identity"),
    QUOTA_EXCEEDED("quota-exceeded", "Tenant quota exceeded"),
    MISDIRECTED_REQUEST("misdirected-request", "Request not addressed to this server"),
    CROSS_ORIGIN_REQUEST("cross-origin-request", "Cross-origin request refused"),
    REQUEST_TOO_LARGE("request-too-large", "Request body too large"),
    INVALID_BODY_ENCODING("invalid-body-encoding", "Request body encoding is invalid"),
    // Refused by the HTTP server before the API sees the request
    BAD_REQUEST("bad-request", "Malformed HTTP request"),
    REQUEST_TIMEOUT("request-timeout", "Request not received in time"),
    URI_TOO_LONG("uri-too-long", "Request URI too long"),
    HEADERS_TOO_LARGE("headers-too-large", "Request headers too large"),
    INTERNAL_ERROR("internal-error", "Internal error"),
    // Jobs
    JOB_NOT_FOUND("job-not-found", "Job not found"),
    MALFORMED_JOB_ID("malformed-job-id", "Malformed job id"),
    JOB_ALREADY_ENDED("job-already-ended", "Job already ended"),
    JOB_NOT_FINISHED("job-not-finished", "Job not finished"),
    // Logs
    INVALID_OFFSET("invalid-offset", "Invalid log offset"),
    INVALID_FOLLOW("invalid-follow", "Invalid follow flag"),
    INVALID_DOWNLOAD("invalid-download", "Invalid download flag"),
    TOO_MANY_FOLLOWERS("too-many-followers", "Too many clients following logs"),
    TOO_MANY_FOLLOWS("too-many-follows", "Tenant follows too many logs at once"),
    // Listing
    INVALID_LIMIT("invalid-limit", "Invalid limit"),
    INVALID_NEXT_TOKEN("invalid-next-token", "Invalid page token"),
    INVALID_STATUS("invalid-status", "Invalid status"),
    // The leaderboard
    INVALID_METRIC("invalid-metric", "Invalid metric name"),
    INVALID_ORDER("invalid-order", "Invalid order"),
    // Submitting
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type"),
    UNSUPPORTED_CHARSET("unsupported-charset", "Unsupported charset"),
    EMPTY_BODY("empty-body", "Empty request body"),
    INVALID_JSON("invalid-json", "Invalid JSON"),
    INVALID_FIELD("invalid-field", "Invalid field"),
    MISSING_DOCKERFILE("missing-dockerfile", "Dockerfile missing"),
    AMBIGUOUS_DOCKERFILE("ambiguous-dockerfile", "Dockerfile given twice"),
    EMPTY_DOCKERFILE("empty-dockerfile", "Empty Dockerfile"),
    DOCKERFILE_TOO_LARGE("dockerfile-too-large", "Dockerfile too large"),
    DOCKERFILE_NOT_TEXT("dockerfile-not-text", "Dockerfile is not text"),
    NOT_UTF8("not-utf8", "Not UTF-8 text"),
    INVALID_DOCKERFILE("invalid-dockerfile", "Invalid Dockerfile"),
    INVALID_GZIP("invalid-gzip", "Invalid gzip data"),
    INVALID_BASE64("invalid-base64", "Invalid base64 data"),
    NAME_TOO_LONG("name-too-long", "Name too long"),
    INVALID_NAME("invalid-name", "Invalid name"),
    DESCRIPTION_TOO_LONG("description-too-long", "Description too long"),
    INVALID_DESCRIPTION("invalid-description", "Invalid description"),
    INVALID_RUNS("invalid-runs", "Invalid runs count"),
    INVALID_IDEMPOTENCY_KEY("invalid-idempotency-key", "Invalid Idempotency-Key"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "Idempotency-Key reused with a different request");

    public static final String URI_PREFIX = "urn:perfbox:problem:";

    private final String slug;
    private final String title;

    ProblemType(String slug, String title) {
        this.slug = slug;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return URI_PREFIX + slug;
    }

    public static Optional<ProblemType> of(String slug) {
        return Arrays.stream(values()).filter(t -> t.slug.equals(slug)).findFirst();
    }
}
