package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;

/** The Lambda behind {@link ApiOperation#GET_LEADERBOARD_HISTORY}. */
public final class GetLeaderboardHistoryFunction extends ApiGatewayFunction {
    /** For Lambda: the use cases over DynamoDB, S3 and Step Functions, built on first use, once per container ({@link ApiRuntime}). */
    public GetLeaderboardHistoryFunction() {
        super(ApiOperation.GET_LEADERBOARD_HISTORY, ApiRuntime.lazyApi());
    }

    public GetLeaderboardHistoryFunction(PerfboxApi api) {
        super(ApiOperation.GET_LEADERBOARD_HISTORY, api);
    }
}
