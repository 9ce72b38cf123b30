package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#DELETE_JOB}. */
public final class DeleteJobFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public DeleteJobFunction() {
        super(ApiOperation.DELETE_JOB, ApiRuntime.lazyApi());
    }

    public DeleteJobFunction(PerfboxApi api) {
        super(ApiOperation.DELETE_JOB, api);
    }
}
