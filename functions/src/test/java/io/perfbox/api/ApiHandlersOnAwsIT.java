package io.perfbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.aws.AwsRuntime;
import io.perfbox.aws.AwsSettings;
import io.perfbox.aws.dynamodb.JobTable;
import io.perfbox.aws.s3.ArtifactKeys;
import io.perfbox.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.aws.testing.ApiGatewayEvents;
import io.perfbox.aws.testing.DynamoDbLocal;
import io.perfbox.aws.testing.LambdaInvoker;
import io.perfbox.aws.testing.LocalStack;
import io.perfbox.aws.testing.RequiresDocker;
import io.perfbox.aws.testing.StateMachines;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.JobId;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The API Lambdas over the real adapters: jobs in DynamoDB (DynamoDB Local), Dockerfiles in S3 and pipelines in
 * Step Functions (LocalStack). Events go in as API Gateway sends them, as raw JSON through the stream entry point
 * the Lambda runtime uses. Once in this JVM, and once in a child JVM on the deployment jar alone, where the
 * handlers are built by their no-argument constructors from environment variables, as on Lambda.
 */
@RequiresDocker
class ApiHandlersOnAwsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD [\"sh\", \"-c\", \"echo '{\\\"perf\\\":0.99}' > /data/perf.json\"]\n";

    private static DynamoDbLocal dynamoDbLocal;
    private static AwsSettings.Api settings;
    private static DynamoDbClient dynamoDb;
    private static S3Client s3;
    private static SfnClient sfn;
    private static StepFunctionsPipelineLauncher launcher;

    @BeforeAll
    static void awsResources() {
        dynamoDbLocal = DynamoDbLocal.start();
        s3 = LocalStack.s3();
        sfn = LocalStack.sfn();
        String bucket = LocalStack.newBucket(s3);
        String stateMachineArn = StateMachines.createWaiting(sfn);
        String table = "perfbox-jobs-" + UUID.randomUUID().toString().substring(0, 8);
        settings = new AwsSettings.Api(LocalStack.settings(table, bucket, Optional.of(dynamoDbLocal.endpoint())), stateMachineArn);
        dynamoDb = AwsRuntime.dynamoDbClient(settings.common(), LocalStack.credentials());
        JobTable.createIfMissing(dynamoDb, table);
        launcher = new StepFunctionsPipelineLauncher(sfn, stateMachineArn);
    }

    @AfterAll
    static void stopDynamoDbLocal() {
        if (dynamoDbLocal != null) {
            dynamoDbLocal.close();
        }
    }

    private record Response(int status, JsonNode body) {
    }

    /** Calls a handler the way the Lambda runtime does: raw event JSON in, response JSON out. */
    private static Response call(RequestStreamHandler handler, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return parse(out.toString(StandardCharsets.UTF_8));
    }

    private static Response parse(String responseJson) throws IOException {
        JsonNode response = JSON.readTree(responseJson);
        String body = response.path("body").asText();
        return new Response(response.path("statusCode").asInt(), body.isEmpty() ? null : JSON.readTree(body));
    }

    private String dockerfileInS3(String jobId) {
        return s3.getObjectAsBytes(b -> b.bucket(settings.common().artifactBucket())
                .key(ArtifactKeys.dockerfile(new JobId(jobId)))).asUtf8String();
    }

    private int objectsOf(String jobId) {
        return s3.listObjectsV2(b -> b.bucket(settings.common().artifactBucket())
                .prefix(ArtifactKeys.jobPrefix(new JobId(jobId)))).contents().size();
    }

    private DescribeExecutionResponse executionOf(String jobId) {
        return sfn.describeExecution(b -> b.executionArn(launcher.executionArn(new JobId(jobId))));
    }

    private ExecutionStatus settledStatusOf(String jobId) throws InterruptedException {
        return StateMachines.settledStatus(sfn, launcher.executionArn(new JobId(jobId)));
    }

    @Test
    void submitStoresTheDockerfileAndStartsTheExecutionAndDeleteCancelsBoth() throws Exception {
        JobService jobs = AwsRuntime.apiJobService(settings, dynamoDb, s3, sfn, Clock.systemUTC());
        var submit = new SubmitJobHandler(jobs);
        var get = new GetJobHandler(jobs);
        var delete = new DeleteJobHandler(jobs);

        Response submitted = call(submit, ApiGatewayEvents.submit(DOCKERFILE, "k1a2b3c4d5"));
        assertThat(submitted.status()).isEqualTo(202);
        String id = submitted.body().path("id").asText();
        assertThat(submitted.body().path("status").asText()).isEqualTo("QUEUED");

        assertThat(dockerfileInS3(id)).isEqualTo(DOCKERFILE);
        DescribeExecutionResponse execution = executionOf(id);
        assertThat(execution.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(JSON.readTree(execution.input()).path("jobId").asText()).isEqualTo(id);

        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "k1a2b3c4d5")).body().path("status").asText())
                .isEqualTo("QUEUED");
        // The API key's id is the tenant: another key does not see the job.
        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "otherkey99")).status()).isEqualTo(404);
        assertThat(call(delete, ApiGatewayEvents.onJob("DELETE", id, "otherkey99")).status()).isEqualTo(404);
        assertThat(executionOf(id).status()).isEqualTo(ExecutionStatus.RUNNING);

        Response deleted = call(delete, ApiGatewayEvents.onJob("DELETE", id, "k1a2b3c4d5"));
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(settledStatusOf(id)).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(objectsOf(id)).isZero();
        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "k1a2b3c4d5")).status()).isEqualTo(404);
    }

    /** The child JVM: the deployment jar and {@link LambdaInvoker}, with the Lambda environment given. */
    private static final class LambdaContainer implements AutoCloseable {
        private final Process process;
        private final PrintWriter requests;
        private final BufferedReader responses;

        LambdaContainer(Path jar, Path invokerDir, Map<String, String> environment) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", jar + java.io.File.pathSeparator + invokerDir, LambdaInvoker.class.getName());
            pb.environment().clear();
            pb.environment().putAll(environment);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            process = pb.start();
            requests = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            responses = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String invoke(Class<?> handler, String event) throws IOException {
            requests.println(handler.getName() + "\t" + event);
            String line = responses.readLine();
            assertThat(line).as("the Lambda JVM answered").isNotNull();
            return line;
        }

        Response invokeOk(Class<?> handler, String event) throws IOException {
            String line = invoke(handler, event);
            assertThat(line).startsWith("OK ");
            return parse(line.substring(3));
        }

        @Override
        public void close() throws InterruptedException {
            requests.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Path lambdaJar() {
        Path jar = Path.of("target", "perfbox-functions-lambda.jar");
        assertThat(jar).as("the deployment jar (mvn package builds it before the integration tests)").isRegularFile();
        return jar;
    }

    /** A directory holding only the invoker's class file, so the jar must bring everything else. */
    private static Path invokerOnly(Path dir) throws Exception {
        String file = LambdaInvoker.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(file);
        Files.createDirectories(target.getParent());
        Files.copy(Path.of(LambdaInvoker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(file), target);
        return dir;
    }

    private static Map<String, String> lambdaEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", settings.common().region().id());
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put(AwsSettings.JOBS_TABLE, settings.common().jobsTable());
        env.put(AwsSettings.ARTIFACT_BUCKET, settings.common().artifactBucket());
        env.put(AwsSettings.STATE_MACHINE_ARN, settings.stateMachineArn());
        env.put(AwsSettings.ENDPOINT, LocalStack.endpoint().toString());
        env.put(AwsSettings.DYNAMODB_ENDPOINT, dynamoDbLocal.endpoint().toString());
        return env;
    }

    @Test
    void theDeploymentJarServesTheApiThroughNoArgumentHandlersConfiguredByTheEnvironment(@TempDir Path dir) throws Exception {
        try (LambdaContainer lambda = new LambdaContainer(lambdaJar(), invokerOnly(dir), lambdaEnvironment())) {
            Response submitted = lambda.invokeOk(SubmitJobHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0001"));
            assertThat(submitted.status()).isEqualTo(202);
            String id = submitted.body().path("id").asText();
            assertThat(dockerfileInS3(id)).isEqualTo(DOCKERFILE);
            assertThat(executionOf(id).status()).isEqualTo(ExecutionStatus.RUNNING);

            Response listed = lambda.invokeOk(ListJobsHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), null, "jarkey0001"));
            assertThat(listed.body().path("jobs").findValuesAsText("id")).containsExactly(id);
            assertThat(lambda.invokeOk(GetJobHandler.class, ApiGatewayEvents.onJob("GET", id, "jarkey0001")).status())
                    .isEqualTo(200);
            assertThat(lambda.invokeOk(GetJobLogsHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs/{id}/logs", "/jobs/" + id + "/logs", Map.of("id", id), Map.of(), null,
                            "jarkey0001")).status()).isEqualTo(200);
            assertThat(lambda.invokeOk(GetJobScanHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs/{id}/scan", "/jobs/" + id + "/scan", Map.of("id", id), Map.of(), null,
                            "jarkey0001")).body().path("scanned").asBoolean()).isFalse();
            assertThat(lambda.invokeOk(OpenApiHandler.class,
                    ApiGatewayEvents.event("GET", "/openapi.json", "/openapi.json", Map.of(), Map.of(), null, "jarkey0001"))
                    .body().path("openapi").asText()).startsWith("3.");

            Response deleted = lambda.invokeOk(DeleteJobHandler.class, ApiGatewayEvents.onJob("DELETE", id, "jarkey0001"));
            assertThat(deleted.body().path("status").asText()).isEqualTo("CANCELLED");
            assertThat(settledStatusOf(id)).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(objectsOf(id)).isZero();
        }
    }

    @Test
    void theDeploymentJarsWorkflowStepHandlerIsWiredByTheEnvironmentAndBeginsASubmittedJob(@TempDir Path dir) throws Exception {
        Map<String, String> env = lambdaEnvironment();
        env.put("PERFBOX_SEVERITY_THRESHOLD", "HIGH");
        env.put("PERFBOX_IGNORE_UNFIXED", "false");
        env.put("PERFBOX_CLUSTER_ARN", "arn:aws:ecs:" + settings.common().region().id() + ":000000000000:cluster/perfbox");
        env.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", "arn:aws:iam::000000000000:role/perfbox-task-execution");
        env.put("PERFBOX_TASK_ROLE_ARN", "arn:aws:iam::000000000000:role/perfbox-task");
        env.put("PERFBOX_TASK_LOG_GROUP", "/perfbox/jobs");
        env.put("PERFBOX_TASK_CPU", "1024");
        env.put("PERFBOX_TASK_MEMORY_MIB", "2048");
        env.put("PERFBOX_RUN_TIMEOUT_SECONDS", "600");
        env.put("PERFBOX_FILE_SYSTEM_ID", "fs-0123456789abcdef0");
        env.put("PERFBOX_ECR_REPOSITORY", "perfbox-jobs");
        try (LambdaContainer lambda = new LambdaContainer(lambdaJar(), invokerOnly(dir), env)) {
            String id = lambda.invokeOk(SubmitJobHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0003"))
                    .body().path("id").asText();
            String begun = lambda.invoke(io.perfbox.aws.workflow.WorkflowStepHandler.class,
                    "{\"action\":\"begin\",\"jobId\":\"" + id + "\"}");
            assertThat(begun).isEqualTo("OK {\"proceed\":true}");
            assertThat(lambda.invokeOk(GetJobHandler.class, ApiGatewayEvents.onJob("GET", id, "jarkey0003"))
                    .body().path("status").asText()).isEqualTo("BUILDING");
            lambda.invokeOk(DeleteJobHandler.class, ApiGatewayEvents.onJob("DELETE", id, "jarkey0003"));
        }
    }

    @Test
    void aMissingVariableFailsTheHandlersStartNamingItWhileTheOpenApiHandlerNeedsNone(@TempDir Path dir) throws Exception {
        Map<String, String> env = lambdaEnvironment();
        env.remove(AwsSettings.STATE_MACHINE_ARN);
        try (LambdaContainer lambda = new LambdaContainer(lambdaJar(), invokerOnly(dir), env)) {
            assertThat(lambda.invoke(SubmitJobHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0002")))
                    .startsWith("INIT-ERROR " + AwsSettings.InvalidSettingException.class.getName())
                    .contains(AwsSettings.STATE_MACHINE_ARN + " is not set");
            assertThat(lambda.invokeOk(OpenApiHandler.class,
                    ApiGatewayEvents.event("GET", "/openapi.json", "/openapi.json", Map.of(), Map.of(), null, "jarkey0002"))
                    .status()).isEqualTo(200);
        }
    }
}
