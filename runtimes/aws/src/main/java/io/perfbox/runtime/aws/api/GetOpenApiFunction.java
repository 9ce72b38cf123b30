package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_OPENAPI}: the document is in the jar, so it builds no AWS client. */
public final class GetOpenApiFunction extends ApiGatewayFunction {
    public GetOpenApiFunction() {
        this(ApiRuntime.apiWithoutAws());
    }

    public GetOpenApiFunction(PerfboxApi api) {
        super(ApiOperation.GET_OPENAPI, api);
    }
}
