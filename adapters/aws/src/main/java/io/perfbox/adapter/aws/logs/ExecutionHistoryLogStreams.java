package io.perfbox.adapter.aws.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.core.domain.JobId;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * The streams from the job's execution (named by the job id): the state machine starts the build and the task
 * itself, so its history is where their ids are first written: a TaskSubmitted event's output is CodeBuild's
 * StartBuild answer ({@code Build.Id}, CodeBuild names the stream by the id's part after the project) or ECS's
 * RunTask answer ({@code Tasks[0].TaskArn}). The history is read newest first.
 */
public final class ExecutionHistoryLogStreams implements JobLogStreams {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A perfbox execution has a few dozen events; the submissions are among the newest hundred. */
    static final int EVENTS = 100;

    private final SfnClient sfn;
    private final Function<JobId, String> executionArn;

    public ExecutionHistoryLogStreams(SfnClient sfn, Function<JobId, String> executionArn) {
        this.sfn = sfn;
        this.executionArn = executionArn;
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
        try {
            for (HistoryEvent e : sfn.getExecutionHistory(b -> b.executionArn(executionArn.apply(id))
                    .reverseOrder(true).maxResults(EVENTS).includeExecutionData(true)).events()) {
                if (e.type() == HistoryEventType.TASK_SUBMITTED && e.taskSubmittedEventDetails() != null
                        && resourceType.equals(e.taskSubmittedEventDetails().resourceType())
                        && e.taskSubmittedEventDetails().output() != null) {
                    return Optional.of(JSON.readTree(e.taskSubmittedEventDetails().output()));
                }
            }
            return Optional.empty();
        } catch (ExecutionDoesNotExistException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
