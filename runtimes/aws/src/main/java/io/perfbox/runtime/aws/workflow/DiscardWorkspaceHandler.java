package io.perfbox.runtime.aws.workflow;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.workspace.LinkSafeFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.Map;

/**
 * The DiscardWorkspace state, in the VPC with the jobs' file system mounted: {jobId} → {"discarded": true}. Removes
 * the job's directory ({@code <root>/<id>}) and everything in it, never following a link out of it; idempotent.
 * With {@code "keepDirectory": true} (before a run is retried) it empties the directory and keeps it, the access
 * point's root: the next attempt starts from an empty /data and no result of an earlier attempt can be read.
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
        Path directory = jobDirectory(id);
        if (in.field("keepDirectory").map(JsonNode::asBoolean).orElse(false)) {
            if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> entries = Files.list(directory)) {
                    entries.forEach(LinkSafeFiles::deleteTree);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not empty " + directory, e);
                }
            }
            return output("emptied", true);
        }
        LinkSafeFiles.deleteTree(directory);
        return output("discarded", true);
    }
}
