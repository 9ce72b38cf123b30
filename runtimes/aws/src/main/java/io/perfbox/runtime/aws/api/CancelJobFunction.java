package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#CANCEL_JOB}. */
public final class CancelJobFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public CancelJobFunction() {
        super(ApiOperation.CANCEL_JOB, ApiRuntime.lazyApi());
    }

    public CancelJobFunction(PerfboxApi api) {
        super(ApiOperation.CANCEL_JOB, api);
    }
}
