package io.perfbox.core.domain;

import java.time.Instant;

/** When each stage of the pipeline began; null for stages not reached. */
public record StageTimes(Instant queuedAt, Instant buildStartedAt, Instant scanStartedAt,
                         Instant runStartedAt, Instant finishedAt) {
    public static final StageTimes NONE = new StageTimes(null, null, null, null, null);

    public StageTimes withQueued(Instant t) {
        return new StageTimes(t, buildStartedAt, scanStartedAt, runStartedAt, finishedAt);
    }

    public StageTimes withBuildStarted(Instant t) {
        return new StageTimes(queuedAt, t, scanStartedAt, runStartedAt, finishedAt);
    }

    public StageTimes withScanStarted(Instant t) {
        return new StageTimes(queuedAt, buildStartedAt, t, runStartedAt, finishedAt);
    }

    public StageTimes withRunStarted(Instant t) {
        return new StageTimes(queuedAt, buildStartedAt, scanStartedAt, t, finishedAt);
    }

    public StageTimes withFinished(Instant t) {
        return new StageTimes(queuedAt, buildStartedAt, scanStartedAt, runStartedAt, t);
    }
}
