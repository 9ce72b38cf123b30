package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import java.nio.file.Path;

/**
 * A state's handler on the jobs' file system, in the VPC with it mounted (it calls no AWS API). A job's /data is
 * {@code <root>/<id>} here, its access point's root.
 */
public abstract class WorkspaceStep extends WorkflowStep {
    private final Path root;

    protected WorkspaceStep(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** A JobId is a canonical UUID, so the job's directory is always a direct child of the root. */
    Path jobDirectory(JobId id) {
        return root.resolve(id.value());
    }
}
