package io.perfbox.adapter.aws.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/** Request building and response reading with the SDK's model objects (no CloudWatch Logs engine is available here). */
class CloudWatchRunLogsTest {
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:123456789012:task/perfbox/0f3c7ad9b8e64f41a2d5c6b7e8f90a1b";

    private final List<GetLogEventsRequest> requests = new ArrayList<>();
    private Function<GetLogEventsRequest, GetLogEventsResponse> answer;

    private final CloudWatchLogsClient logs = new CloudWatchLogsClient() {
        @Override
        public GetLogEventsResponse getLogEvents(GetLogEventsRequest request) {
            requests.add(request);
            return answer.apply(request);
        }

        @Override
        public String serviceName() {
            return "logs";
        }

        @Override
        public void close() {
        }
    };
    private final CloudWatchRunLogs runLogs = new CloudWatchRunLogs(logs, "/perfbox/runs");

    private static GetLogEventsResponse page(String nextForwardToken, String... messages) {
        List<OutputLogEvent> events = new ArrayList<>();
        long t = 1772366401000L;
        for (String m : messages) {
            events.add(OutputLogEvent.builder().timestamp(t).ingestionTime(t + 200).message(m).build());
            t++;
        }
        return GetLogEventsResponse.builder().events(events).nextForwardToken(nextForwardToken)
                .nextBackwardToken("b/0").build();
    }

    @Test
    void readsTheTasksStreamFromTheStartPageByPageUntilTheTokenRepeats() {
        answer = r -> switch (r.nextToken() == null ? "" : r.nextToken()) {
            case "" -> page("f/1", "epoch 1", "epoch 2");
            case "f/1" -> page("f/2", "epoch 3");
            default -> page("f/2");
        };

        CapturedLog log = runLogs.read(TASK_ARN, 1024);

        assertThat(log).isEqualTo(new CapturedLog("epoch 1\nepoch 2\nepoch 3\n", false));
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.logGroupName()).isEqualTo("/perfbox/runs");
            assertThat(r.logStreamName()).isEqualTo("job/job/0f3c7ad9b8e64f41a2d5c6b7e8f90a1b");
            assertThat(r.startFromHead()).isTrue();
        });
        assertThat(requests).extracting(GetLogEventsRequest::nextToken).containsExactly(null, "f/1", "f/2");
    }

    @Test
    void collectorLinesAreTheCollectorsOwnStreamNeverTheJobs() {
        answer = r -> r.nextToken() == null ? page("f/1", "perfbox-collector 1 BEGIN", "perfbox-collector 1 MISSING",
                "perfbox-collector 1 END") : page("f/1");

        assertThat(runLogs.collectorLines(TASK_ARN)).containsExactly("perfbox-collector 1 BEGIN",
                "perfbox-collector 1 MISSING", "perfbox-collector 1 END");
        assertThat(requests).allSatisfy(r ->
                assertThat(r.logStreamName()).isEqualTo("job/collector/0f3c7ad9b8e64f41a2d5c6b7e8f90a1b"));
    }

    @Test
    void collectorStreamNotCreatedYetHasNoLinesAndOneOverItsBoundIsAnError() {
        answer = r -> {
            throw ResourceNotFoundException.builder().message("The specified log stream does not exist.").build();
        };
        assertThat(runLogs.collectorLines(TASK_ARN)).isEmpty();

        answer = r -> page("f/" + requests.size(), "x".repeat(100_000));
        Assertions.assertThatThrownBy(() -> runLogs.collectorLines(TASK_ARN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("which its record never does");
    }

    @Test
    void logOverTheBoundEndsAtTheLastWholeLineAndIsTruncated() {
        answer = r -> page("f/" + requests.size(), "0123456789".repeat(3), "0123456789".repeat(3));

        CapturedLog log = runLogs.read(TASK_ARN, 100);

        assertThat(log.truncated()).isTrue();
        assertThat(log.text()).hasSize(93).endsWith("\n");
    }

    @Test
    void streamThatNeverStartedIsAnEmptyLog() {
        answer = r -> {
            throw ResourceNotFoundException.builder().message("The specified log stream does not exist.").build();
        };
        assertThat(runLogs.read(TASK_ARN, 1024)).isEqualTo(CapturedLog.EMPTY);
    }

    @Test
    void endlessEmptyPagesStopAfterTheirBound() {
        answer = r -> page("f/" + requests.size());

        CapturedLog log = runLogs.read(TASK_ARN, 1024);

        assertThat(log.truncated()).isTrue();
        assertThat(requests).hasSize(CloudWatchRunLogs.MAX_PAGES);
    }
}
