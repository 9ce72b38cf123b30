package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import io.perfbox.testing.aws.AwsTestClients;
import io.perfbox.testing.aws.Moto;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * A submission's {@code runs} on AWS, as locally: the submit function, configured from its environment as on Lambda,
 * over DynamoDB, S3 and Step Functions (moto), accepts 1 to 10 runs and stores them with the job; 0 and 11 are a 400
 * problem+json naming the field. (Before the workflow looped over runs, the AWS API refused more than one.)
 */
class RepeatedRunsOnAwsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "123456789012";
    private static DynamoDbClient dynamoDb;
    private static String table;
    private static PerfboxApi api;

    @BeforeAll
    static void awsResources() {
        dynamoDb = Moto.dynamoDb();
        S3Client s3 = AwsTestClients.configure(S3Client.builder(), Moto.endpoint(), Moto.region(), Moto.credentials())
                .forcePathStyle(true).build();
        SfnClient sfn = AwsTestClients.configure(SfnClient.builder(), Moto.endpoint(), Moto.region(),
                Moto.credentials()).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        table = "perfbox-jobs-" + suffix;
        String bucket = "perfbox-artifacts-" + suffix;
        JobTable.createIfMissing(dynamoDb, table);
        s3.createBucket(b -> b.bucket(bucket));
        String stateMachine = sfn.createStateMachine(b -> b.name("runs-" + suffix)
                .roleArn("arn:aws:iam::" + ACCOUNT + ":role/perfbox-state-machine")
                .definition("{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}"))
                .stateMachineArn();
        Map<String, String> env = Map.of("AWS_REGION", Moto.region().id(), "PERFBOX_JOBS_TABLE", table,
                "PERFBOX_ARTIFACT_BUCKET", bucket, "PERFBOX_STATE_MACHINE_ARN", stateMachine);
        api = new PerfboxApi(ApiRuntime.jobService(AwsSettings.Api.from(env), dynamoDb, s3, sfn, Clock.systemUTC()));
    }

    private record Answer(int status, JsonNode body, JsonNode headers) {
    }

    private static Answer call(ApiHandler function, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        JsonNode response = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        return new Answer(response.path("statusCode").asInt(), JSON.readTree(response.path("body").asText()),
                response.path("headers"));
    }

    private static String submit(String runs, String tenant) {
        return ApiGatewayEvents.event("POST", "/jobs", "/jobs", Map.of(), Map.of("Content-Type", "application/json"),
                "{\"dockerfile\":\"FROM debian:bookworm\\nCMD [\\\"true\\\"]\\n\",\"runs\":" + runs + "}", tenant);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10})
    void aSubmissionOfOneToTenRunsIsAcceptedAndStoredWithItsRuns(int runs) throws Exception {
        String tenant = "tenant-" + UUID.randomUUID().toString().substring(0, 8);

        Answer accepted = call(new ApiHandler(api), submit(Integer.toString(runs), tenant));

        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        String id = accepted.body().path("id").asText();
        assertThat(new DynamoDbJobStore(dynamoDb, table).find(new JobId(id)).orElseThrow().runs().requested())
                .isEqualTo(runs);
        Answer read = call(new ApiHandler(api), ApiGatewayEvents.onJob("GET", id, tenant));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("runs").asInt()).isEqualTo(runs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "11", "2.5", "\"3\""})
    void runsOutsideOneToTenAre400ProblemJsonNamingTheField(String runs) throws Exception {
        Answer refused = call(new ApiHandler(api), submit(runs, "tenant-x"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.headers().path("Content-Type").asText()).startsWith("application/problem+json");
        assertThat(refused.body().path("type").asText()).endsWith("invalid-runs");
        assertThat(refused.body().path("detail").asText()).contains("runs", "10");
    }
}
