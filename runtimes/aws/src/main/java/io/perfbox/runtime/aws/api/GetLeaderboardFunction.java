package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_LEADERBOARD}. */
public final class GetLeaderboardFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetLeaderboardFunction() {
        super(ApiOperation.GET_LEADERBOARD, ApiRuntime.lazyApi());
    }

    public GetLeaderboardFunction(PerfboxApi api) {
        super(ApiOperation.GET_LEADERBOARD, api);
    }
}
