package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.adapter.aws.JobAdmissions;
import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.core.domain.JobId;
import io.perfbox.testing.fakes.InMemoryJobStore;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The Admit state's input is the state machine's: a bad cap or wait is refused before DynamoDB is asked anything. */
class AdmitHandlerTest {
    /** Never called: nothing listens there, and the input is refused first. */
    private final AdmitHandler handler = new AdmitHandler(new DynamoDbAdmission(DynamoDbClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:9")).region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build(),
            "perfbox-jobs", new InMemoryJobStore(), Clock.systemUTC()));

    private static Map<String, Object> input(Object cap, Object waitSeconds) {
        Map<String, Object> in = new HashMap<>(Map.of("jobId", JobId.random().value()));
        if (cap != null) {
            in.put("cap", cap);
        }
        if (waitSeconds != null) {
            in.put("waitSeconds", waitSeconds);
        }
        return in;
    }

    @Test
    void aCapOrWaitThatIsNoWholeNumberInRangeIsRefusedNamingIt() {
        for (Object bad : new Object[] {0, -1, 1.5, "2", null, 2_000_000}) {
            assertThatThrownBy(() -> handler.handleRequest(input(bad, 30), null)).as("cap %s", bad)
                    .hasMessageContaining("cap");
        }
        for (Object bad : new Object[] {0, 3601, "30", null, 0.5}) {
            assertThatThrownBy(() -> handler.handleRequest(input(2, bad), null)).as("wait %s", bad)
                    .hasMessageContaining("waitSeconds");
        }
    }

    @Test
    void theCleanUpReleasesTheAdmissionOnlyOnceTheJobsBuildsAndTasksAreStopped() {
        List<JobId> released = new ArrayList<>();
        JobAdmissions admissions = released::add;
        FakeAwsResources aws = new FakeAwsResources();
        JobCleanUp base = aws.cleanUp();
        JobId id = JobId.random();
        new JobCleanUp(base.builds(), base.tasks(), base.taskDefinitions(), base.images(), admissions).run(id);
        assertThat(released).containsExactly(id);

        JobCleanUp failingStop = new JobCleanUp(j -> {
            throw new IllegalStateException("CodeBuild unreachable");
        }, base.tasks(), base.taskDefinitions(), base.images(), admissions);
        assertThatThrownBy(() -> failingStop.run(id)).hasMessageContaining("stop its builds");
        assertThat(released).as("not released while a build may still run").containsExactly(id);
    }
}
