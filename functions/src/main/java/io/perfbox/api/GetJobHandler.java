package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;

/** GET /jobs/{id}: the job's status, failure, performance, times and vulnerability counts. */
public class GetJobHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public GetJobHandler() {
        this(ApiRuntime.jobService());
    }

    public GetJobHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return json(200, ApiJson.JobView.of(jobs.get(owner(request), jobId(request))));
    }
}
