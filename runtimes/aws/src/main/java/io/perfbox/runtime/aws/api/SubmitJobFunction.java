package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#SUBMIT_JOB}. */
public final class SubmitJobFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public SubmitJobFunction() {
        super(ApiOperation.SUBMIT_JOB, ApiRuntime.lazyApi());
    }

    public SubmitJobFunction(PerfboxApi api) {
        super(ApiOperation.SUBMIT_JOB, api);
    }
}
