package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.workspace.LinkSafeFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * The DiscardWorkspace state, in the VPC with the jobs' file system mounted: {jobId} → {"discarded": true}. Removes
 * the job's directory ({@code <root>/<id>}) and everything in it, never following a link out of it; idempotent.
 */
public class DiscardWorkspaceHandler extends WorkflowStep {
    private final Path root;

    /** For Lambda: JSON logs, and the root from PERFBOX_WORKSPACE_ROOT, checked at cold start. */
    public DiscardWorkspaceHandler() {
        this(WorkflowRuntime.workspaceRoot());
    }

    public DiscardWorkspaceHandler(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        // A JobId is a canonical UUID, so the job's directory is always a direct child of the root.
        LinkSafeFiles.deleteTree(root.resolve(id.value()));
        return output("discarded", true);
    }
}
