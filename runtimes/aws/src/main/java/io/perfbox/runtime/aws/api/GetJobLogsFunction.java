package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_JOB_LOGS}. */
public final class GetJobLogsFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetJobLogsFunction() {
        super(ApiOperation.GET_JOB_LOGS, ApiRuntime.lazyApi());
    }

    public GetJobLogsFunction(PerfboxApi api) {
        super(ApiOperation.GET_JOB_LOGS, api);
    }
}
