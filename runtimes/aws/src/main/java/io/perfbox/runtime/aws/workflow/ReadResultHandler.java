package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.workspace.LinkSafeFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ReadResult state, in the VPC with the jobs' file system mounted (it calls no AWS API): {jobId} → the result
 * file as {@link ResultFileJson}. The job's /data is {@code <root>/<id>} here (its access point's root); the result
 * is read exactly as the local runtime reads it ({@link LinkSafeFiles}): a regular file only, never through a
 * link, at most {@link PerformanceResult#MAX_BYTES} + 1 bytes.
 */
public class ReadResultHandler extends WorkspaceStep {
    public static final String RESULT_FILE = "perf.json";

    /** For Lambda: JSON logs, and the root from PERFBOX_WORKSPACE_ROOT, checked at cold start. */
    public ReadResultHandler() {
        this(WorkflowRuntime.workspaceRoot());
    }

    public ReadResultHandler(Path root) {
        super(root);
    }

    @Override
    protected Map<String, Object> step(JobId id, Input in) {
        return ResultFileJson.toJson(LinkSafeFiles.read(jobDirectory(id).resolve(RESULT_FILE),
                PerformanceResult.MAX_BYTES));
    }
}
