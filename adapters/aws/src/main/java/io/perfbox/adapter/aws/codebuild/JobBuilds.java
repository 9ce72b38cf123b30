package io.perfbox.adapter.aws.codebuild;

import io.perfbox.core.domain.JobId;
import java.util.List;

/** The job's builds: the CodeBuild builds its workflow started (BuildAndScan). */
public interface JobBuilds {

    /**
     * Stops every build of the job that is still in progress, by its id; a build that ended, or none at all, is left
     * alone (idempotent). Returns the ids of the builds it stopped.
     */
    List<String> stopInProgress(JobId id);
}
