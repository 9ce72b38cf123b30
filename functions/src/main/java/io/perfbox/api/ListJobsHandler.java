package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;
import io.perfbox.core.application.ListJobsQuery;
import io.perfbox.core.domain.InvalidInputException;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;

/** GET /jobs?limit=&amp;nextToken=&amp;status=: the caller's jobs, newest first, a page at a time. */
public class ListJobsHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public ListJobsHandler() {
        this(ApiRuntime.jobService());
    }

    public ListJobsHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        int limit = request.query("limit").map(ListJobsHandler::parseLimit).orElse(ListJobsQuery.DEFAULT_LIMIT);
        var status = request.query("status").filter(s -> !s.isBlank()).map(JobStatus::parse);
        JobStore.JobPage page = jobs.list(new ListJobsQuery(owner(request), limit, request.query("nextToken"), status));
        return json(200, new ApiJson.JobListView(
                page.jobs().stream().map(ApiJson.JobView::of).toList(), page.nextToken().orElse(null)));
    }

    private static int parseLimit(String raw) {
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("invalid-limit",
                    "limit must be a whole number between 1 and " + ListJobsQuery.MAX_LIMIT);
        }
    }
}
