package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.workspace.LinkSafeFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * The DiscardWorkspace state, in the VPC with the jobs' file system mounted: {jobId} → {"discarded": true}. Removes
 * the job's directory ({@code <root>/<id>}) and everything in it, never following a link out of it; idempotent.
 */
public class DiscardWorkspaceHandler extends WorkspaceStep {
    /** For Lambda: JSON logs, and the root from PERFBOX_WORKSPACE_ROOT, checked at cold start. */
    public DiscardWorkspaceHandler() {
        this(WorkflowRuntime.workspaceRoot());
    }

    public DiscardWorkspaceHandler(Path root) {
        super(root);
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        LinkSafeFiles.deleteTree(jobDirectory(id));
        return output("discarded", true);
    }
}
