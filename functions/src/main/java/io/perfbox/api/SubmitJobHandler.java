package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;
import java.util.Map;

/** POST /jobs: accepts a Dockerfile, answers 202 with the queued job; never waits for the pipeline. */
public class SubmitJobHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public SubmitJobHandler() {
        this(ApiRuntime.jobService());
    }

    public SubmitJobHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        var command = SubmitRequestParser.parse(request, owner(request));
        JobService.Submitted submitted = jobs.submit(command);
        String id = submitted.job().id().value();
        return json(202, ApiJson.JobView.of(submitted.job()), Map.of(
                "Location", "/jobs/" + id,
                "Idempotent-Replayed", Boolean.toString(!submitted.created())));
    }
}
