package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.AwsJson;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.runtime.aws.LambdaLogging;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.PerformanceResult;
import io.perfbox.core.workspace.LinkSafeFiles;
import io.perfbox.logging.JobLogContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The workflow's steps on the jobs' file system (this Lambda runs in the VPC with it mounted, and calls no AWS API):
 * {"action": "read-result" | "discard", "jobId": ...}. A job's /data is {@code <root>/<id>} here (its access
 * point's root). The result is read exactly as the local runtime reads it ({@link LinkSafeFiles}): a regular file
 * only, never through a link, at most {@link PerformanceResult#MAX_BYTES} + 1 bytes.
 */
public class WorkspaceHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = Logger.getLogger(WorkspaceHandler.class.getName());
    public static final String RESULT_FILE = "perf.json";

    private final Path root;

    /** For Lambda: JSON logs, and the root from PERFBOX_WORKSPACE_ROOT, checked at cold start. */
    public WorkspaceHandler() {
        this(lambdaRoot());
    }

    public WorkspaceHandler(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private static Path lambdaRoot() {
        LambdaLogging.install();
        return WorkspaceConfig.fromEnvironment().root();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        JsonNode in = AwsJson.MAPPER.valueToTree(input);
        String action = AwsJson.text(in, "action")
                .orElseThrow(() -> new IllegalArgumentException("the step input has no \"action\""));
        JobId id = JobId.parse(AwsJson.text(in, "jobId")
                .orElseThrow(() -> new IllegalArgumentException("the step input has no \"jobId\"")));
        // Every line this invocation logs carries the job's id.
        return JobLogContext.with(id.value(), () -> step(action, id));
    }

    private Map<String, Object> step(String action, JobId id) {
        // A JobId is a canonical UUID, so the job's directory is always a direct child of the root.
        Path jobDirectory = root.resolve(id.value());
        LOG.info(() -> "job " + id + ": " + action);
        return switch (action) {
            case "read-result" -> ResultFileJson.toJson(
                    LinkSafeFiles.read(jobDirectory.resolve(RESULT_FILE), PerformanceResult.MAX_BYTES));
            case "discard" -> {
                LinkSafeFiles.deleteTree(jobDirectory);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("discarded", true);
                yield out;
            }
            default -> throw new IllegalArgumentException("unknown action '" + AwsJson.shortened(action, 40) + "'");
        };
    }
}
