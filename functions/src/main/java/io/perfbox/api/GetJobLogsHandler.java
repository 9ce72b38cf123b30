package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;

/** GET /jobs/{id}/logs: the bounded build and run output. */
public class GetJobLogsHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public GetJobLogsHandler() {
        this(ApiRuntime.jobService());
    }

    public GetJobLogsHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        JobService.JobLogs logs = jobs.logs(owner(request), jobId(request));
        return json(200, ApiJson.LogsView.of(logs.job(), logs.build(), logs.run()));
    }
}
