package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_JOB_DOCKERFILE}. */
public final class GetJobDockerfileFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetJobDockerfileFunction() {
        super(ApiOperation.GET_JOB_DOCKERFILE, ApiRuntime.lazyApi());
    }

    public GetJobDockerfileFunction(PerfboxApi api) {
        super(ApiOperation.GET_JOB_DOCKERFILE, api);
    }
}
