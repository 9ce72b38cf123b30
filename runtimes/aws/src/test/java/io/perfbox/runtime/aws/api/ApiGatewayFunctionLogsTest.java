package io.perfbox.runtime.aws.api;

import io.perfbox.api.ApiRequest;
import io.perfbox.api.GetJobHandler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import io.perfbox.testing.logging.CapturedLogLines;
import io.perfbox.logging.JobLogContext;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What the API handlers log is JSON lines, and on a job's routes each line names the job. */
class ApiHandlerLogsTest {
    private final JobId id = JobId.random();
    /** A job store that is down: the handler answers 500 and logs the error. */
    private final InMemoryJobStore unavailable = new InMemoryJobStore() {
        @Override
        public synchronized Optional<Job> find(JobId job) {
            throw new IllegalStateException("DynamoDB throttled the request");
        }
    };
    private final JobService jobs = new JobService(unavailable, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC());

    private static APIGatewayProxyRequestEvent onJob(String rawId) {
        return new APIGatewayProxyRequestEvent().withHttpMethod("GET").withResource("/jobs/{id}")
                .withPath("/jobs/" + rawId).withPathParameters(Map.of("id", rawId))
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext()
                        .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withApiKey("secret-key")));
    }

    @Test
    void everyLineLoggedAnsweringARequestOnAJobCarriesItsId() {
        try (CapturedLogLines logs = new CapturedLogLines()) {
            // API Gateway passes the id as the client typed it; the line names the job in its canonical form.
            var response = new GetJobHandler(jobs).handleRequest(onJob(id.value().toUpperCase(Locale.ROOT)), null);

            assertThat(response.getStatusCode()).isEqualTo(500);
            assertThat(logs.json()).isNotEmpty().allSatisfy(line -> assertThat(line.path("jobId").asText())
                    .isEqualTo(id.value()));
            assertThat(logs.json()).anySatisfy(line -> {
                assertThat(line.path("level").asText()).isEqualTo("ERROR");
                assertThat(line.path("error").asText()).contains("DynamoDB throttled the request");
            });
        }
        assertThat(JobLogContext.get()).as("nothing left on the thread for its next request").isNull();
    }

    @Test
    void requestOnAMalformedIdOrOnNoJobLogsWithoutAJobId() {
        ApiHandler logsThenFails = new ApiHandler() {
            @Override
            protected APIGatewayProxyResponseEvent handle(ApiRequest request) {
                Logger.getLogger("io.perfbox.api.test").info("handling " + request.path());
                throw new IllegalStateException("boom");
            }
        };
        try (CapturedLogLines logs = new CapturedLogLines()) {
            logsThenFails.handleRequest(onJob("..%2F..%2Fetc"), null);
            logsThenFails.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/jobs"), null);

            assertThat(logs.json()).hasSize(4).allSatisfy(line -> assertThat(line.has("jobId")).isFalse());
        }
    }
}
