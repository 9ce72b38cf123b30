package io.perfbox.adapter.aws.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.core.port.LogSlice;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.TaskSubmittedEventDetails;

/**
 * Live output on AWS with the SDK's model objects (CloudWatch Logs and Step Functions do not run offline here): the
 * streams found in the execution's history, read by offset, CodeBuild's own lines left out, and the stored log once
 * the workflow saved it.
 */
class CloudWatchJobLogsTest {
    private static final JobId JOB = new JobId("0b8e1c2a-3f4d-4e5f-8a9b-0c1d2e3f4a5b");
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:123456789012:task/perfbox/0f3c7ad9b8e64f41a2d5c6b7e8f90a1b";

    /** Each stream's events, split into pages of two. */
    private final Map<String, List<String>> streams = new HashMap<>();
    private final List<GetLogEventsRequest> requests = new ArrayList<>();
    private final List<GetExecutionHistoryRequest> historyRequests = new ArrayList<>();
    private List<HistoryEvent> history = List.of();

    private final CloudWatchLogsClient cloudWatch = new CloudWatchLogsClient() {
        @Override
        public GetLogEventsResponse getLogEvents(GetLogEventsRequest request) {
            requests.add(request);
            List<String> events = streams.getOrDefault(request.logGroupName() + ":" + request.logStreamName(), List.of());
            int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken().substring(2));
            int to = Math.min(events.size(), from + 2);
            return GetLogEventsResponse.builder()
                    .events(events.subList(from, to).stream().map(m -> OutputLogEvent.builder().message(m).build()).toList())
                    .nextForwardToken("f/" + to).build();
        }

        @Override
        public String serviceName() {
            return "logs";
        }

        @Override
        public void close() {
        }
    };

    private final SfnClient sfn = new SfnClient() {
        @Override
        public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
            historyRequests.add(request);
            return GetExecutionHistoryResponse.builder().events(history).build();
        }

        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    };

    private final InMemoryJobArtifactStore stored = new InMemoryJobArtifactStore();
    private final CloudWatchJobLogs logs = new CloudWatchJobLogs(stored, cloudWatch,
            new ExecutionHistoryLogStreams(sfn, id -> "arn:aws:states:eu-west-1:123456789012:execution:perfbox:" + id.value()),
            "/perfbox/builds", "/perfbox/runs");

    private static HistoryEvent submitted(String resourceType, String output) {
        return HistoryEvent.builder().type(HistoryEventType.TASK_SUBMITTED)
                .taskSubmittedEventDetails(TaskSubmittedEventDetails.builder().resourceType(resourceType)
                        .resource("startBuild.sync").output(output).build()).build();
    }

    private static String text(LogSlice s) {
        return new String(s.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aBuildUnderWayIsReadFromCodeBuildsStreamOnlyItsOwnLinesAndByOffset() {
        history = List.of(submitted("codebuild", "{\"Build\":{\"Id\":\"perfbox-build:7d1c0a5e-1111-2222-3333-444455556666\"}}"));
        List<String> events = new ArrayList<>(List.of(
                "[Container] 2026/12/01 10:00:00.000000 Running command (",
                "printf '[perfbox] output of job %s\\n' \"$JOB_ID\"",
                "[perfbox] output of job " + JOB.value(),
                "[perfbox] docker build (limit 900s)",
                "#5 0.301 build-line-1"));
        streams.put("/perfbox/builds:7d1c0a5e-1111-2222-3333-444455556666", events);

        LogSlice first = logs.readLog(JOB, LogKind.BUILD, 0, 1024).orElseThrow();
        assertThat(text(first)).isEqualTo("[perfbox] docker build (limit 900s)\n#5 0.301 build-line-1\n");
        assertThat(first.complete()).isFalse();
        assertThat(historyRequests.get(0).executionArn()).endsWith(":execution:perfbox:" + JOB.value());
        assertThat(historyRequests.get(0).reverseOrder()).isTrue();

        events.add("#5 1.302 build-line-2");
        events.add("[Container] 2026/12/01 10:00:09.000000 Phase complete: BUILD State: SUCCEEDED");
        int before = requests.size();
        LogSlice rest = logs.readLog(JOB, LogKind.BUILD, first.next(), 1024).orElseThrow();
        assertThat(text(rest)).isEqualTo("#5 1.302 build-line-2\n");
        assertThat(rest.offset()).isEqualTo(first.next());
        // Read on from CloudWatch's token, not from the stream's start again.
        assertThat(requests.subList(before, requests.size())).allSatisfy(r -> assertThat(r.nextToken()).isNotNull());
    }

    @Test
    void aRunUnderWayIsReadFromItsTasksStreamWithinTheBoundTheStoredLogKeeps() {
        history = List.of(submitted("ecs", "{\"Tasks\":[{\"TaskArn\":\"" + TASK_ARN + "\"}]}"),
                submitted("codebuild", "{\"Build\":{\"Id\":\"p:x\"}}"));
        String big = "y".repeat(600 * 1024);
        streams.put("/perfbox/runs:job/job/0f3c7ad9b8e64f41a2d5c6b7e8f90a1b", List.of("run-line-1", big, big));

        LogSlice s = logs.readLog(JOB, LogKind.RUN, 0, 20).orElseThrow();
        assertThat(text(s)).isEqualTo("run-line-1\nyyyyyyyyy");
        LogSlice end = logs.readLog(JOB, LogKind.RUN, 10_000_000, 20).orElseThrow();
        assertThat(end.total()).isEqualTo(11 + 600 * 1024 + 1);
        assertThat(end.bytes()).isEmpty();
    }

    @Test
    void aLogTheWorkflowStoredIsReadFromTheStoreAndNothingLiveIsAskedFor() {
        stored.saveLog(JOB, LogKind.RUN, new CapturedLog("stored\n", false));
        LogSlice s = logs.readLog(JOB, LogKind.RUN, 0, 100).orElseThrow();
        assertThat(text(s)).isEqualTo("stored\n");
        assertThat(s.complete()).isTrue();
        assertThat(historyRequests).isEmpty();
        assertThat(requests).isEmpty();
    }

    @Test
    void aStepNotStartedYetHasNoLog() {
        history = List.of(HistoryEvent.builder().type(HistoryEventType.EXECUTION_STARTED).build());
        assertThat(logs.readLog(JOB, LogKind.BUILD, 0, 100)).isEqualTo(Optional.empty());
        assertThat(logs.readLog(JOB, LogKind.RUN, 0, 100)).isEmpty();
    }
}
