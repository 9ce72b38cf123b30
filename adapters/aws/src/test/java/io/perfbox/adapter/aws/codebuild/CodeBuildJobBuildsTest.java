package io.perfbox.adapter.aws.codebuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsRequest;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.codebuild.model.StopBuildRequest;
import software.amazon.awssdk.services.codebuild.model.StopBuildResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.TaskSubmittedEventDetails;

/**
 * The job's builds found in its execution's history (GetExecutionHistory's TaskSubmitted events, whose output is
 * StartBuild's answer), stopped by id through BatchGetBuilds and StopBuild, with the SDK's model objects.
 */
class CodeBuildJobBuildsTest {
    private static final String PROJECT = "BuildAndScanProject";
    private final JobId id = JobId.random();
    private final String executionArn = "arn:aws:states:eu-west-1:123456789012:execution:Perfbox-JobWorkflow:" + id;
    private final List<GetExecutionHistoryRequest> historyRequests = new ArrayList<>();
    /** The history's pages, newest events first (the adapter reads in reverse order). */
    private final List<List<HistoryEvent>> pages = new ArrayList<>();
    private boolean noExecution;
    private final Map<String, StatusType> builds = new HashMap<>();
    private final List<String> stopped = new ArrayList<>();
    private final List<List<String>> looked = new ArrayList<>();

    private final SfnClient sfn = new SfnClient() {
        @Override
        public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest request) {
            historyRequests.add(request);
            if (noExecution) {
                throw ExecutionDoesNotExistException.builder().message("Execution Does Not Exist: '" + executionArn + "'").build();
            }
            int page = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
            return GetExecutionHistoryResponse.builder().events(pages.isEmpty() ? List.of() : pages.get(page))
                    .nextToken(page + 1 < pages.size() ? Integer.toString(page + 1) : null).build();
        }

        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    };

    private final CodeBuildClient codeBuild = new CodeBuildClient() {
        @Override
        public BatchGetBuildsResponse batchGetBuilds(BatchGetBuildsRequest request) {
            looked.add(request.ids());
            List<Build> found = new ArrayList<>();
            List<String> notFound = new ArrayList<>();
            for (String buildId : request.ids()) {
                if (builds.containsKey(buildId)) {
                    found.add(Build.builder().id(buildId).arn("arn:aws:codebuild:eu-west-1:123456789012:build/" + buildId)
                            .projectName(PROJECT).buildStatus(builds.get(buildId)).buildComplete(
                                    builds.get(buildId) != StatusType.IN_PROGRESS).build());
                } else {
                    notFound.add(buildId);
                }
            }
            return BatchGetBuildsResponse.builder().builds(found).buildsNotFound(notFound).build();
        }

        @Override
        public StopBuildResponse stopBuild(StopBuildRequest request) {
            stopped.add(request.id());
            builds.put(request.id(), StatusType.STOPPED);
            return StopBuildResponse.builder().build(Build.builder().id(request.id()).buildStatus(StatusType.IN_PROGRESS)
                    .currentPhase("BUILD").build()).build();
        }

        @Override
        public String serviceName() {
            return "codebuild";
        }

        @Override
        public void close() {
        }
    };

    private final CodeBuildJobBuilds jobBuilds = new CodeBuildJobBuilds(codeBuild, PROJECT,
            new ExecutionHistory(sfn, job -> "arn:aws:states:eu-west-1:123456789012:execution:Perfbox-JobWorkflow:" + job));

    private long eventId = 100;

    /** A TaskSubmitted event as the codebuild:startBuild.sync integration writes it: StartBuild's answer. */
    private HistoryEvent buildSubmitted(String buildId) {
        String output = """
                {"Build":{"Arn":"arn:aws:codebuild:eu-west-1:123456789012:build/%s","BuildComplete":false,
                 "BuildStatus":"IN_PROGRESS","CurrentPhase":"QUEUED","Id":"%s","ProjectName":"%s",
                 "Logs":{"GroupName":"/aws/codebuild/%s","StreamName":"%s"}},
                 "SdkHttpMetadata":{"HttpStatusCode":200},"SdkResponseMetadata":{"RequestId":"6f1e"}}
                """.formatted(buildId, buildId, PROJECT, PROJECT, buildId.substring(buildId.indexOf(':') + 1));
        return HistoryEvent.builder().id(eventId--).timestamp(Instant.parse("2026-03-01T12:00:05Z"))
                .type(HistoryEventType.TASK_SUBMITTED)
                .taskSubmittedEventDetails(TaskSubmittedEventDetails.builder().resourceType("codebuild")
                        .resource("startBuild.sync").output(output).build())
                .build();
    }

    private HistoryEvent taskSubmitted(String resourceType, String output) {
        return HistoryEvent.builder().id(eventId--).timestamp(Instant.parse("2026-03-01T12:00:05Z"))
                .type(HistoryEventType.TASK_SUBMITTED)
                .taskSubmittedEventDetails(TaskSubmittedEventDetails.builder().resourceType(resourceType)
                        .resource("runTask.sync").output(output).build())
                .build();
    }

    private HistoryEvent stateEntered() {
        return HistoryEvent.builder().id(eventId--).timestamp(Instant.parse("2026-03-01T12:00:00Z"))
                .type(HistoryEventType.TASK_STATE_ENTERED).build();
    }

    @Test
    void buildStillInProgressIsStoppedByTheIdItsSubmissionRecorded() {
        String buildId = PROJECT + ":7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71";
        pages.add(List.of(buildSubmitted(buildId), stateEntered()));
        builds.put(buildId, StatusType.IN_PROGRESS);

        assertThat(jobBuilds.stopInProgress(id)).containsExactly(buildId);

        assertThat(stopped).containsExactly(buildId);
        assertThat(historyRequests).first().satisfies(r -> {
            assertThat(r.executionArn()).isEqualTo(executionArn);
            assertThat(r.reverseOrder()).isTrue();
            assertThat(r.includeExecutionData()).isTrue();
        });
    }

    @Test
    void buildThatEndedIsLeftAloneAndAStopIsIdempotent() {
        String buildId = PROJECT + ":7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71";
        pages.add(List.of(buildSubmitted(buildId)));
        builds.put(buildId, StatusType.IN_PROGRESS);
        jobBuilds.stopInProgress(id);

        assertThat(jobBuilds.stopInProgress(id)).isEmpty();

        assertThat(stopped).containsExactly(buildId);
        builds.put(buildId, StatusType.SUCCEEDED);
        assertThat(jobBuilds.stopInProgress(id)).isEmpty();
        assertThat(stopped).hasSize(1);
    }

    @Test
    void everyBuildOfTheExecutionIsLookedAtAcrossPagesAndOnlyThoseInProgressAreStopped() {
        String first = PROJECT + ":00000000-0000-4000-8000-000000000001";
        String second = PROJECT + ":00000000-0000-4000-8000-000000000002";
        pages.add(List.of(buildSubmitted(second), stateEntered()));
        pages.add(List.of(buildSubmitted(first), stateEntered()));
        builds.put(first, StatusType.FAILED);
        builds.put(second, StatusType.IN_PROGRESS);

        assertThat(jobBuilds.stopInProgress(id)).containsExactly(second);

        assertThat(looked).containsExactly(List.of(second, first));
        assertThat(historyRequests).hasSize(2);
    }

    @Test
    void noBuildSubmittedOrNoExecutionAtAllStopsNothingAndAsksCodeBuildNothing() {
        pages.add(List.of(taskSubmitted("ecs", "{\"Tasks\":[{\"TaskArn\":\"arn:aws:ecs:eu-west-1:123456789012:task/perfbox/0a1b\"}]}"),
                stateEntered()));
        assertThat(jobBuilds.stopInProgress(id)).isEmpty();

        noExecution = true;
        assertThat(jobBuilds.stopInProgress(id)).isEmpty();

        assertThat(looked).isEmpty();
        assertThat(stopped).isEmpty();
    }

    @Test
    void buildOfAnotherProjectIsLeftAlone() {
        String other = "SomeoneElsesProject:7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71";
        pages.add(List.of(buildSubmitted(other)));
        builds.put(other, StatusType.IN_PROGRESS);

        assertThat(jobBuilds.stopInProgress(id)).isEmpty();
        assertThat(looked).isEmpty();
    }

    @Test
    void buildCodeBuildNoLongerKnowsIsNothingToStop() {
        pages.add(List.of(buildSubmitted(PROJECT + ":7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71")));

        assertThat(jobBuilds.stopInProgress(id)).isEmpty();
        assertThat(stopped).isEmpty();
    }
}
