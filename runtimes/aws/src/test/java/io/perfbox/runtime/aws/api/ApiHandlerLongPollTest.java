package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The logs route through its Lambda, as API Gateway calls it: text/plain from an offset, and a follow answered as a
 * long poll of server-sent events whose last id resumes it (Lambda behind API Gateway cannot stream).
 */
class ApiHandlerLongPollTest {
    private static final String KEY_ID = "a1b2c3d4e5";
    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final JobService service = new JobService(jobs, new InMemoryDockerfileStore(), artifacts,
            new RecordingPipelineLauncher(), Clock.systemUTC());
    private final ApiHandler function = new ApiHandler(new PerfboxApi(service)
            .withLongPoll(Duration.ofSeconds(2)));
    private final JobId id = service.submit(new SubmitJobCommand(KEY_ID, null, null,
            new Dockerfile("FROM debian:bookworm\n"), Optional.empty())).job().id();

    private APIGatewayProxyResponseEvent get(Map<String, String> query, Map<String, String> headers) {
        return function.handle(new APIGatewayProxyRequestEvent().withHttpMethod("GET").withResource("/jobs/{id}/logs")
                .withPath("/jobs/" + id.value() + "/logs").withPathParameters(Map.of("id", id.value()))
                .withQueryStringParameters(new HashMap<>(query)).withHeaders(new HashMap<>(headers)), KEY_ID);
    }

    private void advance(JobStatus to) {
        Job now = jobs.find(id).orElseThrow();
        jobs.update(to == JobStatus.CANCELLED ? now.cancelled(Instant.now()) : now.advancedTo(to, Instant.now()),
                EnumSet.of(now.status()));
    }

    @Test
    void textFromAnOffsetWhileTheJobBuildsAndAFollowThatIsALongPollResumedByItsLastEventId() {
        advance(JobStatus.BUILDING);
        var build = artifacts.openLog(id, LogKind.BUILD);
        build.write("step 1\nstep 2\n");

        APIGatewayProxyResponseEvent text = get(Map.of("offset", "7"), Map.of("Accept", "text/plain"));
        assertThat(text.getStatusCode()).isEqualTo(200);
        assertThat(text.getHeaders()).containsEntry("Content-Type", "text/plain; charset=utf-8")
                .containsEntry("Perfbox-Next-Offset", "14").containsEntry("Perfbox-Log-Complete", "false");
        assertThat(text.getBody()).isEqualTo("step 2\n");

        APIGatewayProxyResponseEvent poll = get(Map.of("follow", "true"), Map.of());
        assertThat(poll.getHeaders()).containsEntry("Content-Type", "text/event-stream; charset=utf-8");
        assertThat(poll.getBody()).isEqualTo("retry: 1000\n\ndata: step 1\ndata: step 2\nid: 14\n\n");

        long started = System.nanoTime();
        APIGatewayProxyResponseEvent nothingNew = get(Map.of("follow", "true"), Map.of("Last-Event-ID", "14"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(nothingNew.getBody()).isEqualTo("retry: 1000\n\n");

        build.write("built\n");
        build.close();
        advance(JobStatus.CANCELLED);
        APIGatewayProxyResponseEvent last = get(Map.of("follow", "true"), Map.of("Last-Event-ID", "14"));
        assertThat(last.getBody()).isEqualTo("retry: 1000\n\ndata: built\nid: 20\n\nevent: end\ndata: CANCELLED\nid: 20\n\n");
    }
}
