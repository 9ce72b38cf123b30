package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_JOB_LOGS}. */
public final class GetJobLogsFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public GetJobLogsFunction() {
        this(ApiRuntime.api());
    }

    public GetJobLogsFunction(PerfboxApi api) {
        super(ApiOperation.GET_JOB_LOGS, api);
    }
}
