package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.port.JobStore;
import io.perfbox.logging.JobLogContext;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import io.perfbox.testing.logging.CapturedLogLines;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the API functions log is JSON lines, and on a job's routes each line names the job. */
class ApiHandlerLogsTest {
    private final JobId id = JobId.random();
    /** A job store that is down: the function answers 500 and logs the error. */
    private final InMemoryJobStore unavailable = new InMemoryJobStore() {
        @Override
        public synchronized Optional<Job> find(JobId job) {
            throw new IllegalStateException("DynamoDB throttled the request");
        }

        @Override
        public synchronized JobStore.JobPage list(String owner, Optional<JobStatus> status,
                                                  int limit, Optional<String> pageToken) {
            throw new IllegalStateException("DynamoDB throttled the request");
        }
    };
    private final PerfboxApi api = new PerfboxApi(new JobService(unavailable, new InMemoryDockerfileStore(),
            new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC()));

    private static APIGatewayProxyRequestEvent onJob(String rawId) {
        return new APIGatewayProxyRequestEvent().withHttpMethod("GET").withResource("/jobs/{id}")
                .withPath("/jobs/" + rawId).withPathParameters(Map.of("id", rawId));
    }

    @Test
    void everyLineLoggedAnsweringARequestOnAJobCarriesItsId() {
        try (CapturedLogLines logs = new CapturedLogLines()) {
            // API Gateway passes the id as the client typed it; the line names the job in its canonical form.
            var response = new ApiHandler(api).handle(onJob(id.value().toUpperCase(Locale.ROOT)), "a1b2c3d4e5");

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
        try (CapturedLogLines logs = new CapturedLogLines()) {
            assertThat(new ApiHandler(api).handle(onJob("..%2F..%2Fetc"), "a1b2c3d4e5").getStatusCode())
                    .isEqualTo(400);
            assertThat(new ApiHandler(api).handle(new APIGatewayProxyRequestEvent().withHttpMethod("GET")
                    .withResource("/jobs").withPath("/jobs"), "a1b2c3d4e5").getStatusCode()).isEqualTo(500);

            assertThat(logs.json()).isNotEmpty().allSatisfy(line -> assertThat(line.has("jobId")).isFalse());
        }
    }
}
