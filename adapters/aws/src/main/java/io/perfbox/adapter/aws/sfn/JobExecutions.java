package io.perfbox.adapter.aws.sfn;

import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The job's workflow execution (one per job, named by its id), as a reconciler sees it. */
public interface JobExecutions {

    /** The job's execution; empty when it was never started (or its history expired, 90 days after it ended). */
    Optional<Execution> find(JobId id);

    /** Starts the job's execution; one that exists already is left as it is. */
    void start(JobId id);

    /** status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (Step Functions' names); stopped: when it ended. */
    record Execution(String status, Optional<Instant> stopped) {
        public Execution {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(stopped, "stopped");
        }

        public boolean running() {
            return status.equals("RUNNING") || status.equals("PENDING_REDRIVE");
        }
    }
}
