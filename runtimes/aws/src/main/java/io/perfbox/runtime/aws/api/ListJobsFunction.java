package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#LIST_JOBS}. */
public final class ListJobsFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public ListJobsFunction() {
        super(ApiOperation.LIST_JOBS, ApiRuntime.lazyApi());
    }

    public ListJobsFunction(PerfboxApi api) {
        super(ApiOperation.LIST_JOBS, api);
    }
}
