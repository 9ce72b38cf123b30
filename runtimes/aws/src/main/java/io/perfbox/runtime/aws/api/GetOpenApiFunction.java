package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;

/** The Lambda behind {@link ApiOperation#GET_OPENAPI}: the document is in the jar, so it builds no AWS client. */
public final class GetOpenApiFunction extends ApiGatewayFunction {
    public GetOpenApiFunction() {
        super(ApiOperation.GET_OPENAPI, () -> {
            throw new IllegalStateException("the OpenAPI function has no job use cases");
        });
        ApiRuntime.initWithoutAws();
    }

    /** For tests that hand every function the same API: the document needs none of it. */
    public GetOpenApiFunction(io.perfbox.api.PerfboxApi api) {
        super(ApiOperation.GET_OPENAPI, api);
    }
}
