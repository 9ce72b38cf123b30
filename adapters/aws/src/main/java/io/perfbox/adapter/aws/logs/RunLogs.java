package io.perfbox.adapter.aws.logs;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;

/** What a run's container wrote to stdout and stderr. */
public interface RunLogs {

    /** The task's log from its start, at most about maxBytes (then truncated); empty when it logged nothing. */
    CapturedLog read(String taskArn, int maxBytes);
}
