package io.perfbox.adapter.aws.logs;

import io.perfbox.core.domain.JobId;
import java.util.Optional;

/** Where a job's steps write their output in CloudWatch Logs while they run. */
public interface JobLogStreams {
    /** CodeBuild's stream of the job's build in the build log group; empty until the build started. */
    Optional<String> buildStream(JobId id);

    /** The awslogs stream of the job's run in the task log group; empty until the task was started. */
    Optional<String> runStream(JobId id);
}
