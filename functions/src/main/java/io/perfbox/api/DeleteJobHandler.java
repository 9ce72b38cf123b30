package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;

/**
 * DELETE /jobs/{id}: cancels the job if it is still queued, building, scanning or running (its build is stopped
 * or its container killed), then removes it and its files. Answers with the job as it ended (CANCELLED if it
 * was cancelled by this request); afterwards the id is unknown (404).
 */
public class DeleteJobHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public DeleteJobHandler() {
        this(ApiRuntime.jobService());
    }

    public DeleteJobHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return json(200, ApiJson.JobView.of(jobs.cancelAndDelete(owner(request), jobId(request))));
    }
}
