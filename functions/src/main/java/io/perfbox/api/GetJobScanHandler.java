package io.perfbox.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;

/** GET /jobs/{id}/scan: the scanner's findings ({@code scanned: false} until the scan has run). */
public class GetJobScanHandler extends ApiHandler {
    private final JobService jobs;

    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public GetJobScanHandler() {
        this(ApiRuntime.jobService());
    }

    public GetJobScanHandler(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
        JobService.JobScan scan = jobs.scan(owner(request), jobId(request));
        return json(200, ApiJson.ScanView.of(scan.job(), scan.report().orElse(null)));
    }
}
