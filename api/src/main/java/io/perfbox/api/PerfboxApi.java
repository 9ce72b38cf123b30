package io.perfbox.api;

import io.perfbox.core.application.JobService;
import io.perfbox.core.application.LeaderboardQuery;
import io.perfbox.core.application.ListJobsQuery;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobNotFoundException;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Metrics;
import io.perfbox.core.domain.QuotaExceededException;
import io.perfbox.core.domain.RankOrder;
import io.perfbox.core.port.JobStore;
import io.perfbox.logging.JobLogContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The API over the use cases, transport-neutral: request record in, response record out. Every operation of
 * {@link ApiOperation} is implemented here once; domain exceptions become problem+json here, and nothing else ever
 * leaks: an unexpected error is a 500 with a reference, no trace.
 *
 * <p>Two entries: {@link #dispatch} routes a request by method and path (the local server), {@link #handle} runs
 * one operation that the transport has already routed (API Gateway: its event names the route,
 * {@link ApiOperation#of}). {@link #openApi} answers the document alone, without the job use cases.
 */
public final class PerfboxApi {
    private static final Logger LOG = Logger.getLogger(PerfboxApi.class.getName());
    public static final String REQUEST_ID = "X-Request-Id";
    private static final Pattern REQUEST_ID_FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final String FINISHED_JOB_CACHE_CONTROL = "private, no-cache";

    private final JobService jobs;
    private final RankOrder defaultOrder;
    private final Optional<Duration> longPoll;
    private final Map<ApiOperation, Function<ApiRequest, ApiResponse>> operations = new EnumMap<>(ApiOperation.class);

    public PerfboxApi(JobService jobs) {
        this(jobs, RankOrder.DESC);
    }

    /** {@code defaultOrder}: the leaderboard's direction when a request names none. */
    public PerfboxApi(JobService jobs, RankOrder defaultOrder) {
        this(jobs, defaultOrder, Optional.empty());
    }

    private PerfboxApi(JobService jobs, RankOrder defaultOrder, Optional<Duration> longPoll) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.defaultOrder = Objects.requireNonNull(defaultOrder, "defaultOrder");
        this.longPoll = Objects.requireNonNull(longPoll, "longPoll");
        operations.put(ApiOperation.SUBMIT_JOB, this::submit);
        operations.put(ApiOperation.LIST_JOBS, this::list);
        operations.put(ApiOperation.GET_JOB, this::getJob);
        operations.put(ApiOperation.DELETE_JOB,
                r -> ApiResponse.json(200, ApiJson.JobView.of(jobs.delete(r.owner(), jobId(r)))));
        operations.put(ApiOperation.CANCEL_JOB,
                r -> ApiResponse.json(200, ApiJson.JobView.of(jobs.cancel(r.owner(), jobId(r)))));
        operations.put(ApiOperation.GET_JOB_LOGS, this::logs);
        operations.put(ApiOperation.GET_JOB_SCAN, this::scan);
        operations.put(ApiOperation.GET_JOB_DOCKERFILE, this::dockerfile);
        operations.put(ApiOperation.GET_LEADERBOARD, this::leaderboard);
        operations.put(ApiOperation.GET_LEADERBOARD_HISTORY, this::history);
        operations.put(ApiOperation.GET_OPENAPI, r -> openApiDocument());
    }

    /**
     * {@link ApiOperation#GET_OPENAPI} alone, with its request id as {@link #handle} gives it: for a transport that
     * serves the document without the job use cases (the AWS OpenAPI function, which calls no AWS service).
     */
    public static ApiResponse openApi(ApiRequest request) {
        return identified(request, PerfboxApi::openApiDocument);
    }

    private static ApiResponse openApiDocument() {
        return new ApiResponse(200, Map.of("Content-Type", "application/json", "Cache-Control", "max-age=300"),
                OpenApiDocument.json().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Routes by method and path: 404 for an unknown resource, 405 (with Allow) for a method it does not have. HEAD is
     * answered wherever GET is: the same status and headers, no body. Every response carries X-Request-Id.
     */
    public ApiResponse dispatch(ApiRequest request) {
        return identified(request, () -> route(request));
    }

    /** Runs one operation; every line logged meanwhile carries the job's id when the path names a job. */
    public ApiResponse handle(ApiOperation operation, ApiRequest request) {
        Objects.requireNonNull(operation, "operation");
        return identified(request, () -> run(operation, request));
    }

    /**
     * The request's id: a well-formed incoming X-Request-Id (1 to 128 of letters, digits and {@code . _ : -}) is
     * kept, anything else is replaced by a new UUID. Lines logged while answering carry it; the response echoes it.
     */
    static String requestId(ApiRequest request) {
        return requestId(request.header(REQUEST_ID).orElse(null));
    }

    /** The incoming X-Request-Id when well formed (null or anything else: a new UUID). */
    public static String requestId(String incoming) {
        return incoming != null && REQUEST_ID_FORMAT.matcher(incoming).matches() ? incoming : newRequestId();
    }

    /**
     * A random (version 4) UUID from the thread's own generator: a request id must be unique, not unguessable, and
     * UUID.randomUUID's shared SecureRandom would be a lock every request of a busy server takes.
     */
    static String newRequestId() {
        var random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /**
     * For the transports' own answers (a body over the bound, an event that is not one): the response with an
     * X-Request-Id, its own if it has one, else the incoming one when well formed, else a new one.
     */
    public static ApiResponse withRequestId(ApiResponse response, String incoming) {
        if (response.header(REQUEST_ID).isPresent()) {
            return response;
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put(REQUEST_ID, requestId(incoming));
        return response.withHeaders(headers);
    }

    private static ApiResponse identified(ApiRequest request, Supplier<ApiResponse> work) {
        String id = requestId(request);
        ApiResponse response = JobLogContext.withRequest(id, work);
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put(REQUEST_ID, id);
        return response.withHeaders(headers);
    }

    private ApiResponse route(ApiRequest request) {
        String path = request.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        boolean head = request.method().equalsIgnoreCase("HEAD");
        var match = ApiOperation.match(head ? "GET" : request.method(), path);
        if (match.isEmpty()) {
            List<String> allowed = new ArrayList<>(ApiOperation.methodsFor(path));
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            if (allowed.isEmpty()) {
                return Problem.of(404, "not-found", "No such resource: " + path
                        + " (see GET /openapi.json for the API)", path).toResponse();
            }
            return Problem.of(405, "method-not-allowed", request.method() + " is not allowed on " + path
                    + "; allowed: " + String.join(", ", allowed), path).toResponse(Map.of("Allow", String.join(", ", allowed)));
        }
        ApiResponse response = run(match.get().operation(), request.withPathParameters(match.get().pathParameters()));
        if (head) {
            // What GET would answer, without its body; Content-Length still says how long that body is.
            Map<String, String> headers = new LinkedHashMap<>(response.headers());
            if (response.body().length > 0) {
                headers.put("Content-Length", Integer.toString(response.body().length));
            }
            // A followed stream is not started for a HEAD: its headers are all there is.
            return new ApiResponse(response.status(), headers, new byte[0]);
        }
        return response;
    }

    private ApiResponse run(ApiOperation operation, ApiRequest request) {
        return JobLogContext.with(loggedJobId(request), () -> respond(operation, request));
    }

    private ApiResponse respond(ApiOperation operation, ApiRequest request) {
        try {
            return operations.get(operation).apply(request);
        } catch (InvalidInputException e) {
            int status = switch (e.kind()) {
                case BAD_REQUEST -> 400;
                case TOO_LARGE -> 413;
                case UNSUPPORTED_MEDIA_TYPE -> 415;
                case CONFLICT -> 409;
                case UNPROCESSABLE -> 422;
            };
            return Problem.of(status, e.reason(), e.getMessage(), request.path()).toResponse();
        } catch (JobNotFoundException e) {
            return Problem.of(404, "job-not-found", e.getMessage(), request.path()).toResponse();
        } catch (QuotaExceededException e) {
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            return Problem.of(429, "quota-exceeded", e.getMessage(), request.path())
                    .toResponse(Map.of("Retry-After", String.valueOf(seconds)));
        } catch (ApiRequest.Unauthenticated e) {
            return Problem.of(401, "unauthenticated", e.getMessage(), request.path()).toResponse();
        } catch (RuntimeException e) {
            return internalError(request, e);
        }
    }

    /** A 500 naming a reference that the log line carries too; never the exception's text or trace. */
    public static ApiResponse internalError(ApiRequest request, RuntimeException e) {
        String reference = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "unexpected error handling " + request.method() + " " + request.path()
                + " (reference " + reference + ")", e);
        return Problem.of(500, "internal-error",
                "perfbox could not complete the request; reference " + reference, request.path()).toResponse();
    }

    /**
     * A job; a finished one (it changes no more until deleted) with a strong ETag over its representation and
     * {@code Cache-Control: private, no-cache} (keep it, revalidate before use), so an If-None-Match naming it is a
     * 304 without a body. A job under way is never cached (no-store).
     */
    private ApiResponse getJob(ApiRequest request) {
        var job = jobs.get(request.owner(), jobId(request));
        ApiJson.JobView view = ApiJson.JobView.of(job);
        if (!job.status().isTerminal()) {
            return ApiResponse.json(200, view);
        }
        byte[] body = ResponseJson.bytes(view);
        String etag = etag(body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", etag);
        headers.put("Cache-Control", FINISHED_JOB_CACHE_CONTROL);
        if (request.header("If-None-Match").map(v -> matches(v, etag)).orElse(false)) {
            return new ApiResponse(304, headers, new byte[0]);
        }
        headers.put("Content-Type", "application/json");
        return new ApiResponse(200, headers, body);
    }

    static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(Arrays.copyOf(digest, 16)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** If-None-Match's weak comparison (RFC 9110 13.1.2): {@code *}, or any listed tag, W/ or not. */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private ApiResponse submit(ApiRequest request) {
        var command = SubmitRequestParser.parse(request, request.owner());
        JobService.Submitted submitted = jobs.submit(command);
        String id = submitted.job().id().value();
        return ApiResponse.json(202, ApiJson.JobView.of(submitted.job()), Map.of(
                "Location", "/jobs/" + id,
                "Idempotent-Replayed", Boolean.toString(!submitted.created())));
    }

    private ApiResponse list(ApiRequest request) {
        int limit = request.query("limit").map(PerfboxApi::parseLimit).orElse(ListJobsQuery.DEFAULT_LIMIT);
        // An empty status= is not one of the enum's values: 400, as for any other value it does not list.
        var status = request.query("status").map(JobStatus::parse);
        JobStore.JobPage page = jobs.list(new ListJobsQuery(request.owner(), limit, request.query("nextToken"), status));
        return ApiResponse.json(200, new ApiJson.JobListView(
                page.jobs().stream().map(ApiJson.JobView::of).toList(), page.nextToken().orElse(null)));
    }

    private ApiResponse leaderboard(ApiRequest request) {
        var query = new LeaderboardQuery(request.owner(), metric(request),
                request.query("order").map(RankOrder::parse).orElse(defaultOrder),
                request.query("limit").map(raw -> parseLimit(raw, LeaderboardQuery.MAX_LIMIT)).orElse(LeaderboardQuery.DEFAULT_LIMIT));
        return ApiResponse.json(200, ApiJson.LeaderboardView.of(query.metric(), query.order(), jobs.leaderboard(query)));
    }

    private ApiResponse history(ApiRequest request) {
        var query = new LeaderboardQuery.History(request.owner(), metric(request), request.query("limit")
                .map(raw -> parseLimit(raw, LeaderboardQuery.MAX_HISTORY_LIMIT)).orElse(LeaderboardQuery.DEFAULT_HISTORY_LIMIT));
        return ApiResponse.json(200, ApiJson.HistoryView.of(query.metric(), jobs.history(query)));
    }

    /** The metric to rank by; an empty {@code metric=} is no name at all (400), as {@code status=} is. */
    private static String metric(ApiRequest request) {
        return request.query("metric").orElse(Metrics.PERFORMANCE);
    }

    /**
     * JSON by default (both logs whole, as stored); text/plain when the client prefers it (the output from
     * {@code offset}: build, then run); {@code follow=true}: server-sent events until the job ends ({@link LogEvents});
     * {@code download=true}: the whole output as a file to save (text, {@code Content-Disposition: attachment}).
     */
    private ApiResponse logs(ApiRequest request) {
        boolean follow = LogEvents.follow(request);
        long offset = LogEvents.offset(request);
        if (LogEvents.download(request)) {
            // Wins over follow and offset: every combination of valid flags is a valid request (the API document
            // cannot state a rule between two parameters), and a download is the output so far, as a file.
            return LogEvents.attachment(jobs.output(request.owner(), jobId(request), 0, LogEvents.TEXT_MAX_BYTES));
        }
        if (follow) {
            return LogEvents.respond(jobs, request.owner(), jobId(request), offset, longPoll);
        }
        if (LogEvents.prefersText(request)) {
            return LogEvents.text(jobs.output(request.owner(), jobId(request), offset, LogEvents.TEXT_MAX_BYTES));
        }
        JobService.JobLogs logs = jobs.logs(request.owner(), jobId(request));
        return ApiResponse.json(200, ApiJson.LogsView.of(logs.job(), logs.build(), logs.run()));
    }

    /**
     * This API answering a follow of a job's output as a long poll: within {@code limit}, as soon as there is new
     * output or the job ended, the events so far in one body (for a transport that cannot stream: Lambda behind API
     * Gateway). Without it a follow streams until the job ends. A new API: this one is left as it is.
     */
    public PerfboxApi withLongPoll(Duration limit) {
        return new PerfboxApi(jobs, defaultOrder, Optional.of(Objects.requireNonNull(limit, "limit")));
    }

    private ApiResponse scan(ApiRequest request) {
        JobService.JobScan scan = jobs.scan(request.owner(), jobId(request));
        return ApiResponse.json(200, ApiJson.ScanView.of(scan.job(), scan.report().orElse(null)));
    }

    /**
     * The submitted Dockerfile as text. nosniff: it is the customer's text, and a browser must never take it for a page
     * of this origin.
     */
    private ApiResponse dockerfile(ApiRequest request) {
        String text = jobs.dockerfile(request.owner(), jobId(request)).text();
        return new ApiResponse(200, Map.of("Content-Type", "text/plain; charset=utf-8", "Cache-Control", "no-store",
                "X-Content-Type-Options", "nosniff"), text.getBytes(StandardCharsets.UTF_8));
    }

    private static int parseLimit(String raw) {
        return parseLimit(raw, ListJobsQuery.MAX_LIMIT);
    }

    private static int parseLimit(String raw, int max) {
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid-limit", "limit must be a whole number between 1 and " + max);
        }
    }

    private static JobId jobId(ApiRequest request) {
        return JobId.parse(request.pathParameter("id").orElse(""));
    }

    /** The path's job id when it is well formed; a malformed one is answered with 400 and logged under no job. */
    private static String loggedJobId(ApiRequest request) {
        try {
            return request.pathParameter("id").map(JobId::parse).map(JobId::value).orElse(null);
        } catch (InvalidInputException e) {
            return null;
        }
    }
}
