package io.perfbox.adapter.aws.codebuild;

import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.core.domain.JobId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.ResourceNotFoundException;
import software.amazon.awssdk.services.codebuild.model.StatusType;

/**
 * {@link JobBuilds} on CodeBuild: the job's build ids are in its execution's history (the BuildAndScan state's
 * TaskSubmitted events carry StartBuild's {@code Build}); BatchGetBuilds tells which are still IN_PROGRESS, and
 * StopBuild stops those. The clean-up stops them by id rather than trusting the execution's end to reach them (a
 * failed state or an abort need not end a build). Only builds of perfbox's own project are looked at (its grants
 * allow no other).
 */
public class CodeBuildJobBuilds implements JobBuilds {
    private static final Logger LOG = Logger.getLogger(CodeBuildJobBuilds.class.getName());
    /** BatchGetBuilds takes at most this many ids at once. */
    static final int BATCH = 100;

    private final CodeBuildClient codeBuild;
    private final String projectName;
    private final ExecutionHistory history;

    public CodeBuildJobBuilds(CodeBuildClient codeBuild, String projectName, ExecutionHistory history) {
        this.codeBuild = codeBuild;
        this.projectName = projectName;
        this.history = history;
    }

    @Override
    public List<String> stopInProgress(JobId id) {
        List<String> ids = List.copyOf(buildIds(id));
        List<String> stopped = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += BATCH) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + BATCH));
            for (Build build : codeBuild.batchGetBuilds(b -> b.ids(batch)).builds()) {
                if (build.buildStatus() != StatusType.IN_PROGRESS) {
                    continue;
                }
                try {
                    codeBuild.stopBuild(b -> b.id(build.id()));
                    stopped.add(build.id());
                    LOG.info("job " + id + ": stopped its build " + build.id());
                } catch (ResourceNotFoundException e) {
                    // Gone meanwhile: nothing runs.
                }
            }
        }
        return stopped;
    }

    /** The ids ({@code <project>:<uuid>}) of the builds the job's execution submitted, newest first, of this project. */
    Set<String> buildIds(JobId id) {
        Set<String> ids = new LinkedHashSet<>();
        history.submissions(id, "codebuild").forEach(out -> {
            String buildId = out.path("Build").path("Id").asText("");
            if (buildId.startsWith(projectName + ":")) {
                ids.add(buildId);
            } else if (!buildId.isEmpty()) {
                LOG.warning("job " + id + ": its execution names a build of another project, left alone: " + buildId);
            }
        });
        return ids;
    }
}
