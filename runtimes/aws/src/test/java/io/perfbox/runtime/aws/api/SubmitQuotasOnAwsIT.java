package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.api.PerfboxApi;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import io.perfbox.testing.aws.AwsTestClients;
import io.perfbox.testing.aws.Moto;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The tenants' quotas on AWS, with the local runtime's semantics: the submit function, configured from its environment
 * as on Lambda ({@link AwsSettings.Api#from}), counts a tenant's usage in the DynamoDB job store (moto; S3 and Step
 * Functions on moto too) and answers a submit past a quota 429 problem+json with Retry-After, as PerfboxApi does for
 * the local server. Fails on a submit function without quotas (every submit 202).
 */
class SubmitQuotasOnAwsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD [\"true\"]\n";
    private static final String ACCOUNT = "123456789012";

    private static DynamoDbClient dynamoDb;
    private static S3Client s3;
    private static SfnClient sfn;
    private static Map<String, String> environment;

    @BeforeAll
    static void awsResources() {
        dynamoDb = Moto.dynamoDb();
        s3 = AwsTestClients.configure(S3Client.builder(), Moto.endpoint(), Moto.region(), Moto.credentials())
                .forcePathStyle(true).build();
        sfn = AwsTestClients.configure(SfnClient.builder(), Moto.endpoint(), Moto.region(), Moto.credentials()).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String table = "perfbox-jobs-" + suffix;
        String bucket = "perfbox-artifacts-" + suffix;
        JobTable.createIfMissing(dynamoDb, table);
        s3.createBucket(b -> b.bucket(bucket));
        String stateMachine = sfn.createStateMachine(b -> b.name("quotas-" + suffix)
                .roleArn("arn:aws:iam::" + ACCOUNT + ":role/perfbox-state-machine")
                .definition("{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}"))
                .stateMachineArn();
        environment = new HashMap<>();
        environment.put("AWS_REGION", Moto.region().id());
        environment.put("PERFBOX_JOBS_TABLE", table);
        environment.put("PERFBOX_ARTIFACT_BUCKET", bucket);
        environment.put("PERFBOX_STATE_MACHINE_ARN", stateMachine);
    }

    private static PerfboxApi api(String maxActive, String maxPerDay) {
        Map<String, String> env = new HashMap<>(environment);
        env.put(AwsSettings.MAX_ACTIVE_JOBS, maxActive);
        env.put(AwsSettings.MAX_SUBMISSIONS_PER_DAY, maxPerDay);
        return new PerfboxApi(ApiRuntime.jobService(AwsSettings.Api.from(env), dynamoDb, s3, sfn, Clock.systemUTC()));
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

    private static String tenant() {
        return "tenant-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aTenantPastItsActiveJobsGets429WithRetryAfterAndMaySubmitAgainOnceOneEnded() throws Exception {
        PerfboxApi api = api("2", "unlimited");
        ApiHandler submit = new ApiHandler(api);
        String acme = tenant();
        String first = call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme)).body().path("id").asText();
        assertThat(call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme)).status()).isEqualTo(202);

        Answer refused = call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().path("Content-Type").asText()).startsWith("application/problem+json");
        assertThat(refused.headers().path("Retry-After").asText()).matches("[1-9][0-9]*");
        assertThat(refused.body().path("type").asText()).endsWith("quota-exceeded");
        assertThat(refused.body().path("status").asInt()).isEqualTo(429);
        assertThat(refused.body().path("detail").asText()).contains("2 job(s) under way");
        // Per tenant: another one is not held to acme's usage.
        assertThat(call(submit, ApiGatewayEvents.submit(DOCKERFILE, tenant())).status()).isEqualTo(202);
        // A job that ended (cancelled) no longer counts as under way.
        assertThat(call(new ApiHandler(api), ApiGatewayEvents.cancel(first, acme)).status()).isEqualTo(200);
        assertThat(call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme)).status()).isEqualTo(202);
    }

    @Test
    void aTenantPastItsSubmissionsPerDayGets429UntilItsOldestLeavesTheDayEvenAfterDeletingJobs() throws Exception {
        PerfboxApi api = api("unlimited", "2");
        ApiHandler submit = new ApiHandler(api);
        String acme = tenant();
        for (int i = 0; i < 2; i++) {
            String id = call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme)).body().path("id").asText();
            // Cancelled and deleted: the submission still counts, as locally.
            assertThat(call(new ApiHandler(api), ApiGatewayEvents.cancel(id, acme)).status()).isEqualTo(200);
            assertThat(call(new ApiHandler(api), ApiGatewayEvents.onJob("DELETE", id, acme)).status())
                    .isEqualTo(200);
        }

        Answer refused = call(submit, ApiGatewayEvents.submit(DOCKERFILE, acme));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body().path("detail").asText()).contains("2 submissions in the last 24 hours");
        // When the oldest of the two leaves the 24 hours: about a day from now.
        assertThat(Long.parseLong(refused.headers().path("Retry-After").asText())).isBetween(86_000L, 86_400L);
        assertThat(call(submit, ApiGatewayEvents.submit(DOCKERFILE, tenant())).status()).isEqualTo(202);
    }
}
