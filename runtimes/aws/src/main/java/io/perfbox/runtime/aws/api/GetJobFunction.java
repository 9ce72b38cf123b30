package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_JOB}. */
public final class GetJobFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetJobFunction() {
        super(ApiOperation.GET_JOB, ApiRuntime.lazyApi());
    }

    public GetJobFunction(PerfboxApi api) {
        super(ApiOperation.GET_JOB, api);
    }
}
