package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#DELETE_JOB}. */
public final class DeleteJobFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built once per container ({@link ApiRuntime}). */
    public DeleteJobFunction() {
        this(ApiRuntime.api());
    }

    public DeleteJobFunction(PerfboxApi api) {
        super(ApiOperation.DELETE_JOB, api);
    }
}
