package io.perfbox.adapter.aws.logs;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.core.domain.JobId;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The streams from the job's execution history ({@link ExecutionHistory}): a TaskSubmitted event's output is
 * CodeBuild's StartBuild answer ({@code Build.Id}, CodeBuild names the stream by the id's part after the project) or
 * ECS's RunTask answer ({@code Tasks[0].TaskArn}). Only the newest page of events is read.
 */
public final class ExecutionHistoryLogStreams implements JobLogStreams {
    private final ExecutionHistory history;

    public ExecutionHistoryLogStreams(SfnClient sfn, Function<JobId, String> executionArn) {
        this.history = new ExecutionHistory(sfn, executionArn);
    }

    @Override
    public Optional<String> buildStream(JobId id) {
        return submitted(id, "codebuild").map(out -> {
            String stream = out.path("Build").path("Logs").path("StreamName").asText("");
            if (!stream.isEmpty()) {
                return stream;
            }
            String buildId = out.path("Build").path("Id").asText("");
            return buildId.isEmpty() ? null : buildId.substring(buildId.indexOf(':') + 1);
        });
    }

    @Override
    public Optional<String> runStream(JobId id) {
        return submitted(id, "ecs").map(out -> {
            String taskArn = out.path("Tasks").path(0).path("TaskArn").asText("");
            return taskArn.isEmpty() ? null : AwsJobNames.runLogStream(taskArn);
        });
    }

    /** The output of the newest TaskSubmitted event of that service. */
    private Optional<JsonNode> submitted(JobId id, String resourceType) {
        return history.submissions(id, resourceType, 1).stream().findFirst();
    }
}
