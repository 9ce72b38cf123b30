package io.perfbox.adapter.aws.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.JobId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * The history of a job's execution (named by the job id). The state machine starts the build and the task itself,
 * so its TaskSubmitted events are where their ids are first written: the output of such an event is the service's
 * answer to the start (CodeBuild's StartBuild {@code Build}, ECS's RunTask {@code Tasks}).
 */
public final class ExecutionHistory {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A page of GetExecutionHistory (its maximum is 1000; a perfbox execution has a few dozen events). */
    static final int PAGE = 100;
    /** Pages read at most by {@link #submissions}: a history longer than this is not a perfbox execution's. */
    static final int MAX_PAGES = 20;

    private final SfnClient sfn;
    private final Function<JobId, String> executionArn;

    public ExecutionHistory(SfnClient sfn, Function<JobId, String> executionArn) {
        this.sfn = sfn;
        this.executionArn = executionArn;
    }

    /**
     * The outputs of the TaskSubmitted events of one service ({@code resourceType}, e.g. "codebuild"), newest first,
     * among the newest {@code pages} pages of events; empty when the execution does not exist.
     */
    public List<JsonNode> submissions(JobId id, String resourceType, int pages) {
        List<JsonNode> found = new ArrayList<>();
        String token = null;
        try {
            for (int page = 0; page < Math.min(pages, MAX_PAGES); page++) {
                String next = token;
                GetExecutionHistoryResponse history = sfn.getExecutionHistory(b -> b.executionArn(executionArn.apply(id))
                        .reverseOrder(true).maxResults(PAGE).includeExecutionData(true).nextToken(next));
                for (HistoryEvent e : history.events()) {
                    if (e.type() == HistoryEventType.TASK_SUBMITTED && e.taskSubmittedEventDetails() != null
                            && resourceType.equals(e.taskSubmittedEventDetails().resourceType())
                            && e.taskSubmittedEventDetails().output() != null) {
                        readable(e.taskSubmittedEventDetails().output(), found);
                    }
                }
                token = history.nextToken();
                if (token == null) {
                    break;
                }
            }
        } catch (ExecutionDoesNotExistException e) {
            return List.of();
        }
        return found;
    }

    /** Every TaskSubmitted output of that service in the whole history, newest first. */
    public List<JsonNode> submissions(JobId id, String resourceType) {
        return submissions(id, resourceType, MAX_PAGES);
    }

    private static void readable(String output, List<JsonNode> into) {
        try {
            into.add(JSON.readTree(output));
        } catch (IOException e) {
            // Not JSON: Step Functions writes JSON here; such an event says nothing usable.
        }
    }
}
