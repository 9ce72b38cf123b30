package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_JOB_SCAN}. */
public final class GetJobScanFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetJobScanFunction() {
        super(ApiOperation.GET_JOB_SCAN, ApiRuntime.lazyApi());
    }

    public GetJobScanFunction(PerfboxApi api) {
        super(ApiOperation.GET_JOB_SCAN, api);
    }
}
