package io.perfbox.adapter.aws.logs;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.util.List;

/** What a run's container wrote to stdout and stderr. */
public interface RunLogs {

    /** The task's log from its start, at most about maxBytes (then truncated); empty when it logged nothing. */
    CapturedLog read(String taskArn, int maxBytes);

    /**
     * The collector's log stream of the task ({@link CollectorRecord}), whole, as far as CloudWatch has it now; empty
     * when it was never created.
     */
    List<String> collectorLines(String taskArn);
}
