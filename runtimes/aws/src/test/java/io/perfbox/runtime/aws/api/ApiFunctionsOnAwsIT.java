package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.aws.dynamodb.ApiKeyTable;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.adapter.aws.s3.ArtifactKeys;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.auth.TenantAuthorizer;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import io.perfbox.runtime.aws.testing.LambdaInvoker;
import io.perfbox.runtime.aws.testing.crac.Core;
import io.perfbox.runtime.aws.workflow.BeginHandler;
import io.perfbox.testing.aws.LocalStack;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.aws.StateMachines;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.docker.RequiresDocker;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The API Lambdas over the real adapters: jobs in DynamoDB (moto), Dockerfiles in S3 and pipelines in Step
 * Functions (LocalStack). Events go in as API Gateway sends them, as raw JSON through the stream entry point
 * the Lambda runtime uses. Once in this JVM, and in child JVMs on a deployment jar alone (the API's, the
 * workflow's), where the handlers are built by their no-argument constructors from environment variables and
 * checkpointed for SnapStart, and print their logs, as on Lambda.
 */
@RequiresDocker
class ApiFunctionsOnAwsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD [\"sh\", \"-c\", \"echo '{\\\"perf\\\":0.99}' > /data/perf.json\"]\n";

    private static AwsSettings.Api settings;
    private static DynamoDbClient dynamoDb;
    private static S3Client s3;
    private static SfnClient sfn;
    private static StepFunctionsPipelineLauncher launcher;

    @BeforeAll
    static void awsResources() {
        s3 = LocalStack.s3();
        sfn = LocalStack.sfn();
        String bucket = LocalStack.newBucket(s3);
        String stateMachineArn = StateMachines.createWaiting(sfn);
        String table = "perfbox-jobs-" + UUID.randomUUID().toString().substring(0, 8);
        settings = new AwsSettings.Api(new AwsSettings.Common(LocalStack.region(), table, bucket), stateMachineArn);
        dynamoDb = Moto.dynamoDb();
        JobTable.createIfMissing(dynamoDb, table);
        launcher = new StepFunctionsPipelineLauncher(sfn, stateMachineArn);
    }

    @AfterAll
    static void closeClients() {
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    /** body: the JSON of a JSON answer (else null); rawBody: the body as sent. */
    private record Response(int status, JsonNode body, JsonNode headers, String rawBody) {
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
        boolean json = response.path("headers").path("Content-Type").asText().contains("json");
        return new Response(response.path("statusCode").asInt(), body.isEmpty() || !json ? null : JSON.readTree(body),
                response.path("headers"), body);
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
    void submitStoresTheDockerfileAndStartsTheExecutionCancelStopsItKeepingTheJobAndDeleteThenRemovesIt()
            throws Exception {
        JobService jobs = ApiRuntime.jobService(settings, dynamoDb, s3, sfn, Clock.systemUTC());
        PerfboxApi api = new PerfboxApi(jobs);
        var submit = new ApiHandler(api);
        var get = new ApiHandler(api);
        var delete = new ApiHandler(api);
        var cancel = new ApiHandler(api);

        Response submitted = call(submit, ApiGatewayEvents.submit(DOCKERFILE, "k1a2b3c4d5"));
        assertThat(submitted.status()).isEqualTo(202);
        String id = submitted.body().path("id").asText();
        assertThat(submitted.body().path("status").asText()).isEqualTo("QUEUED");
        // Behind the stage, as a client on the execute-api address follows it.
        assertThat(submitted.headers().path("Location").asText()).isEqualTo("/" + ApiGatewayEvents.STAGE + "/jobs/" + id);

        assertThat(dockerfileInS3(id)).isEqualTo(DOCKERFILE);
        DescribeExecutionResponse execution = executionOf(id);
        assertThat(execution.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(JSON.readTree(execution.input()).path("jobId").asText()).isEqualTo(id);

        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "k1a2b3c4d5")).body().path("status").asText())
                .isEqualTo("QUEUED");
        // The authorizer's tenant owns the job: another tenant does not see it.
        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "otherkey99")).status()).isEqualTo(404);
        assertThat(call(delete, ApiGatewayEvents.onJob("DELETE", id, "otherkey99")).status()).isEqualTo(404);
        assertThat(call(cancel, ApiGatewayEvents.cancel(id, "otherkey99")).status()).isEqualTo(404);
        assertThat(executionOf(id).status()).isEqualTo(ExecutionStatus.RUNNING);

        // A job under way is not deleted: 409, cancel first; nothing is stopped or removed.
        Response refused = call(delete, ApiGatewayEvents.onJob("DELETE", id, "k1a2b3c4d5"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("type").asText()).endsWith("job-not-finished");
        assertThat(executionOf(id).status()).isEqualTo(ExecutionStatus.RUNNING);

        Response cancelled = call(cancel, ApiGatewayEvents.cancel(id, "k1a2b3c4d5"));
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(settledStatusOf(id)).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "k1a2b3c4d5")).body().path("status").asText())
                .isEqualTo("CANCELLED");
        assertThat(dockerfileInS3(id)).isEqualTo(DOCKERFILE);

        Response deleted = call(delete, ApiGatewayEvents.onJob("DELETE", id, "k1a2b3c4d5"));
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(objectsOf(id)).isZero();
        assertThat(call(get, ApiGatewayEvents.onJob("GET", id, "k1a2b3c4d5")).status()).isEqualTo(404);
    }

    /**
     * The child JVM: a deployment jar and {@link LambdaInvoker}, with the Lambda environment given, pointed at the
     * checkpoint stand-in as Lambda points the JVM at its own. What the functions print on stderr (their log lines)
     * is kept for {@link #logLines()}.
     */
    private static final class LambdaContainer implements AutoCloseable {
        private final Process process;
        private final PrintWriter requests;
        private final BufferedReader responses;
        private final Path stderr;

        LambdaContainer(Path jar, Path dir, Map<String, String> environment) throws Exception {
            Path invoker = invokerOnly(dir.resolve("invoker"));
            stderr = dir.resolve("stderr.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.crac.Core.Compat=" + Core.class.getPackageName(),
                    "-cp", jar + File.pathSeparator + invoker, LambdaInvoker.class.getName());
            pb.environment().clear();
            pb.environment().putAll(environment);
            pb.redirectError(stderr.toFile());
            process = pb.start();
            requests = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            responses = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        private String answer(String request) throws IOException {
            requests.println(request);
            String line = responses.readLine();
            assertThat(line).as("the Lambda JVM answered").isNotNull();
            return line;
        }

        String invoke(Class<?> handler, String event) throws IOException {
            return answer(handler.getName() + "\t" + event);
        }

        Response invokeOk(Class<?> handler, String event) throws IOException {
            String line = invoke(handler, event);
            assertThat(line).startsWith("OK ");
            return parse(line.substring(3));
        }

        /** A SnapStart version's life before its first request: initialised, then checkpointed. */
        void initAndCheckpoint(Class<?> handler) throws IOException {
            assertThat(answer("INIT\t" + handler.getName())).isEqualTo("OK");
            assertThat(answer("CHECKPOINT")).as("the checkpoint ran the registered hooks").matches("OK [1-9][0-9]*");
        }

        /** Everything the functions printed on stderr, once the JVM has ended. */
        List<String> logLines() throws Exception {
            close();
            return Files.readAllLines(stderr, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            requests.close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path apiJar() {
        return deploymentJar("perfbox-api-lambda.jar");
    }

    private static Path workflowJar() {
        return deploymentJar("perfbox-workflow-lambda.jar");
    }

    private static Path deploymentJar(String name) {
        Path jar = Path.of("target", name);
        assertThat(jar).as("the deployment jar (mvn package builds it before the integration tests)").isRegularFile();
        return jar;
    }

    /**
     * A directory holding only the invoker's class file and the checkpoint stand-in (which the Lambda runtime, not
     * the jar, provides), so the jar must bring everything else.
     */
    private static Path invokerOnly(Path dir) throws Exception {
        Path testClasses = Path.of(LambdaInvoker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String invoker = LambdaInvoker.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(dir.resolve(invoker).getParent());
        Files.copy(testClasses.resolve(invoker), dir.resolve(invoker));
        String crac = Core.class.getPackageName().replace('.', '/');
        Files.createDirectories(dir.resolve(crac));
        try (var classes = Files.list(testClasses.resolve(crac))) {
            for (Path file : classes.filter(f -> f.toString().endsWith(".class")).toList()) {
                Files.copy(file, dir.resolve(crac).resolve(file.getFileName().toString()));
            }
        }
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
        // The SDK's own endpoint variables (the product has no override of its own): the functions' clients reach
        // LocalStack and moto exactly as they would reach AWS. Addresses by IP, so S3 is addressed by path.
        env.put("AWS_ENDPOINT_URL", byIp(LocalStack.endpoint()).toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", byIp(Moto.endpoint()).toString());
        return env;
    }

    /** The endpoint with its host resolved to an IP address. */
    private static URI byIp(URI endpoint) {
        try {
            String ip = InetAddress.getByName(endpoint.getHost()).getHostAddress();
            return new URI(endpoint.getScheme(), null, ip, endpoint.getPort(), null, null, null);
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> workflowEnvironment() {
        // The API functions' connection settings (region, table, bucket, endpoints, the state machine), then the
        // workflow's own; every variable WorkflowConfig requires comes from StepInputs.ENV unless set here.
        Map<String, String> env = new HashMap<>(StepInputs.ENV);
        env.putAll(lambdaEnvironment());
        env.put("PERFBOX_SEVERITY_THRESHOLD", "HIGH");
        env.put("PERFBOX_IGNORE_UNFIXED", "false");
        env.put("PERFBOX_CLUSTER_ARN", "arn:aws:ecs:" + settings.common().region().id() + ":000000000000:cluster/perfbox");
        env.put("PERFBOX_TASK_EXECUTION_ROLE_ARN", "arn:aws:iam::000000000000:role/perfbox-task-execution");
        env.put("PERFBOX_TASK_LOG_GROUP", "/perfbox/jobs");
        env.put("PERFBOX_TASK_CPU", "1024");
        env.put("PERFBOX_TASK_MEMORY_MIB", "2048");
        env.put("PERFBOX_RUN_TIMEOUT_SECONDS", "600");
        env.put("PERFBOX_RUN_START_TIMEOUT_SECONDS", "1800");
        env.put("PERFBOX_TASK_HELPERS_IMAGE", StepInputs.TASK_HELPERS_IMAGE);
        env.put("PERFBOX_MAX_IMAGE_MIB", "10240");
        env.put("PERFBOX_ECR_REPOSITORY", "perfbox-jobs");
        return env;
    }

    /** Each line one JSON object with Lambda's keys (what Lambda's JSON log format reads from stdout/stderr). */
    private static List<JsonNode> jsonLogLines(List<String> lines) throws IOException {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            JsonNode json = JSON.readTree(line);
            assertThat(json).as("a JSON object: %s", line).isNotNull();
            assertThat(json.isObject()).as("a JSON object: %s", line).isTrue();
            assertThat(json.path("timestamp").asText()).as(line).isNotEmpty();
            assertThat(json.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            parsed.add(json);
        }
        return parsed;
    }

    /** The job id SnapStart priming uses in the requests it marshals (and never sends). */
    private static final String PRIMING_JOB_ID = "00000000-0000-4000-8000-000000000000";

    /** What API Gateway does with a TOKEN authorizer's answer: an Allow's context becomes requestContext.authorizer. */
    private static String throughAuthorizer(TenantAuthorizer authorizer, String bearer, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String token = JSON.createObjectNode().put("type", "TOKEN").put("authorizationToken", bearer)
                .put("methodArn", "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/POST/jobs").toString();
        authorizer.handleRequest(new ByteArrayInputStream(token.getBytes(StandardCharsets.UTF_8)), out, null);
        JsonNode policy = JSON.readTree(out.toByteArray());
        assertThat(policy.path("policyDocument").path("Statement").get(0).path("Effect").asText()).isEqualTo("Allow");
        var e = (ObjectNode) JSON.readTree(event);
        var context = ((ObjectNode) e.path("requestContext")).putObject("authorizer");
        context.put("principalId", policy.path("principalId").asText());
        policy.path("context").properties().forEach(p -> context.set(p.getKey(), p.getValue()));
        return e.toString();
    }

    @Test
    void theTenantOfAKeyInTheDynamoDbKeysTableOwnsTheJobsSubmittedThroughTheAuthorizer() throws Exception {
        String keysTable = "perfbox-keys-" + UUID.randomUUID().toString().substring(0, 8);
        ApiKeyTable.createIfMissing(dynamoDb, keysTable);
        ApiKeys keys = new ApiKeys(new DynamoDbApiKeyStore(dynamoDb, keysTable), Clock.systemUTC());
        String acme = keys.create("acme-" + UUID.randomUUID().toString().substring(0, 8)).key();
        String other = keys.create("other").key();
        var authorizer = new TenantAuthorizer(keys);
        PerfboxApi api = new PerfboxApi(ApiRuntime.jobService(settings, dynamoDb, s3, sfn, Clock.systemUTC()));

        // No tenant in the event until the authorizer's answer puts one there.
        Response submitted = call(new ApiHandler(api),
                throughAuthorizer(authorizer, "Bearer " + acme, ApiGatewayEvents.submit(DOCKERFILE, null)));
        assertThat(submitted.status()).isEqualTo(202);
        String id = submitted.body().path("id").asText();
        String owner = keys.tenantOf(acme).orElseThrow();
        assertThat(new DynamoDbJobStore(dynamoDb, settings.common().jobsTable()).find(new JobId(id)).orElseThrow().owner())
                .isEqualTo(owner);

        var get = new ApiHandler(api);
        assertThat(call(get, throughAuthorizer(authorizer, "Bearer " + acme, ApiGatewayEvents.onJob("GET", id, null)))
                .status()).isEqualTo(200);
        assertThat(call(get, throughAuthorizer(authorizer, "Bearer " + other, ApiGatewayEvents.onJob("GET", id, null)))
                .status()).isEqualTo(404);
        new ApiHandler(api).handleRequest(new ByteArrayInputStream(throughAuthorizer(authorizer, "Bearer " + acme,
                ApiGatewayEvents.cancel(id, null)).getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
    }

    @Test
    void theLeaderboardFunctionsRankTheTenantsSucceededJobsInDynamoDbByAMetricBothWays() throws Exception {
        JobService jobs = ApiRuntime.jobService(settings, dynamoDb, s3, sfn, Clock.systemUTC());
        var leaderboard = new ApiHandler(new PerfboxApi(jobs));
        var history = new ApiHandler(new PerfboxApi(jobs));
        DynamoDbJobStore store = new DynamoDbJobStore(dynamoDb, settings.common().jobsTable());
        String tenant = "lb" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Instant t = Instant.parse("2026-08-01T00:00:00Z");
        double[] losses = {0.5, 0.2, 0.9};
        for (int i = 0; i < losses.length; i++) {
            store.create(Job.queued(JobId.random(), tenant, "run-" + i, null, t.plusSeconds(i))
                    .succeeded(1 - losses[i], Map.of("loss", losses[i]), t.plusSeconds(i).plusMillis(500)), Optional.empty());
        }
        store.create(Job.queued(JobId.random(), "someone-else", "theirs", null, t)
                .succeeded(0.99, Map.of("loss", 0.01), t.plusSeconds(1)), Optional.empty());

        Response lowestFirst = call(leaderboard, ApiGatewayEvents.query("/leaderboard",
                Map.of("metric", "loss", "order", "asc"), tenant));
        assertThat(lowestFirst.status()).isEqualTo(200);
        assertThat(lowestFirst.body().path("entries").findValuesAsText("name")).containsExactly("run-1", "run-0", "run-2");
        Response highestFirst = call(leaderboard, ApiGatewayEvents.query("/leaderboard", Map.of("metric", "loss"), tenant));
        assertThat(highestFirst.body().path("entries").findValuesAsText("name")).containsExactly("run-2", "run-0", "run-1");
        Response points = call(history, ApiGatewayEvents.query("/leaderboard/history", Map.of(), tenant));
        assertThat(points.body().path("points").findValuesAsText("name")).containsExactly("run-0", "run-1", "run-2");
        assertThat(call(leaderboard, ApiGatewayEvents.query("/leaderboard", Map.of("order", "up"), tenant)).status())
                .isEqualTo(400);
    }

    @Test
    void theApiJarServesTheApiThroughNoArgumentHandlersPrimedForSnapStartWithoutSendingAnything(@TempDir Path dir)
            throws Exception {
        List<String> logLines;
        try (LambdaContainer lambda = new LambdaContainer(apiJar(), dir, lambdaEnvironment())) {
            lambda.initAndCheckpoint(ApiHandler.class);

            Response submitted = lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0001"));
            assertThat(submitted.status()).isEqualTo(202);
            String id = submitted.body().path("id").asText();
            assertThat(dockerfileInS3(id)).isEqualTo(DOCKERFILE);
            assertThat(executionOf(id).status()).isEqualTo(ExecutionStatus.RUNNING);

            Response listed = lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), null, "jarkey0001"));
            assertThat(listed.body().path("jobs").findValuesAsText("id")).containsExactly(id);
            assertThat(lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.onJob("GET", id, "jarkey0001")).status())
                    .isEqualTo(200);
            assertThat(lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs/{id}/logs", "/jobs/" + id + "/logs", Map.of("id", id), Map.of(), null,
                            "jarkey0001")).status()).isEqualTo(200);
            assertThat(lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs/{id}/scan", "/jobs/" + id + "/scan", Map.of("id", id), Map.of(), null,
                            "jarkey0001")).body().path("scanned").asBoolean()).isFalse();
            assertThat(lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/jobs/{id}/dockerfile", "/jobs/" + id + "/dockerfile", Map.of("id", id),
                            Map.of(), null, "jarkey0001")).rawBody()).isEqualTo(DOCKERFILE);
            assertThat(lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.query("/leaderboard", Map.of(),
                    "jarkey0001")).body().path("entries").isArray()).isTrue();
            assertThat(lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.query("/leaderboard/history",
                    Map.of("metric", "loss"), "jarkey0001")).body().path("points").isArray()).isTrue();
            assertThat(lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/openapi.json", "/openapi.json", Map.of(), Map.of(), null, "jarkey0001"))
                    .body().path("openapi").asText()).startsWith("3.");

            Response cancelled = lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.cancel(id, "jarkey0001"));
            assertThat(cancelled.body().path("status").asText()).isEqualTo("CANCELLED");
            assertThat(settledStatusOf(id)).isEqualTo(ExecutionStatus.ABORTED);
            Response deleted = lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.onJob("DELETE", id, "jarkey0001"));
            assertThat(deleted.body().path("status").asText()).isEqualTo("CANCELLED");
            assertThat(objectsOf(id)).isZero();
            logLines = lambda.logLines();
        }
        // The priming marshalled a DynamoDB read, an S3 upload and an execution start for its made-up job; none of
        // them reached AWS.
        assertThat(objectsOf(PRIMING_JOB_ID)).isZero();
        assertThat(dynamoDb.getItem(b -> b.tableName(settings.common().jobsTable())
                .key(Map.of(JobTable.PK, AttributeValue.fromS("JOB#" + PRIMING_JOB_ID)))).hasItem()).isFalse();
        assertThat(sfn.listExecutions(b -> b.stateMachineArn(settings.stateMachineArn())).executions())
                .noneMatch(e -> e.name().equals(PRIMING_JOB_ID));
        assertThat(jsonLogLines(logLines)).as("the priming's lines: none failed, all four parts ran")
                .filteredOn(line -> line.path("logger").asText().equals(ApiPriming.class.getName()))
                .singleElement().satisfies(line -> assertThat(line.path("message").asText())
                        .endsWith("API event and responses, DynamoDB request, S3 request, Step Functions request"));
    }

    @Test
    void aFailedRequestOnAJobIsOneJsonLogLineCarryingTheJobIdAndTheStackTrace(@TempDir Path dir) throws Exception {
        Map<String, String> env = lambdaEnvironment();
        env.put(AwsSettings.JOBS_TABLE, "perfbox-no-such-table");
        String id = UUID.randomUUID().toString();
        List<String> lines;
        try (LambdaContainer lambda = new LambdaContainer(apiJar(), dir, env)) {
            assertThat(lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.onJob("GET", id, "jarkey0004")).status())
                    .isEqualTo(500);
            lines = lambda.logLines();
        }
        assertThat(jsonLogLines(lines)).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("ERROR");
            assertThat(line.path("jobId").asText()).isEqualTo(id);
            assertThat(line.path("message").asText()).contains("GET /jobs/" + id);
            assertThat(line.path("error").asText()).contains("ResourceNotFoundException").contains("\n\tat ");
        });
    }

    @Test
    void theWorkflowJarsBeginHandlerIsWiredByTheEnvironmentBeginsASubmittedJobAndLogsUnderItsId(@TempDir Path dir)
            throws Exception {
        List<String> workflowLines;
        try (LambdaContainer api = new LambdaContainer(apiJar(), Files.createDirectory(dir.resolve("api")),
                lambdaEnvironment());
             LambdaContainer workflow = new LambdaContainer(workflowJar(), Files.createDirectory(dir.resolve("workflow")),
                     workflowEnvironment())) {
            String id = api.invokeOk(ApiHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0003"))
                    .body().path("id").asText();
            String begun = workflow.invoke(BeginHandler.class,
                    "{\"jobId\":\"" + id + "\"}");
            assertThat(begun).isEqualTo("OK {\"proceed\":true}");
            assertThat(api.invokeOk(ApiHandler.class, ApiGatewayEvents.onJob("GET", id, "jarkey0003"))
                    .body().path("status").asText()).isEqualTo("BUILDING");
            api.invokeOk(ApiHandler.class, ApiGatewayEvents.cancel(id, "jarkey0003"));
            workflowLines = workflow.logLines();

            assertThat(jsonLogLines(workflowLines)).anySatisfy(line -> {
                assertThat(line.path("jobId").asText()).isEqualTo(id);
                assertThat(line.path("message").asText()).contains("Begin");
            });
        }
    }

    @Test
    void aMissingVariableFailsTheHandlersStartNamingItWhileTheOpenApiFunctionNeedsNone(@TempDir Path dir) throws Exception {
        Map<String, String> env = lambdaEnvironment();
        env.remove(AwsSettings.STATE_MACHINE_ARN);
        env.put(AwsSettings.API_OPERATION, ApiOperation.SUBMIT_JOB.name());
        try (LambdaContainer lambda = new LambdaContainer(apiJar(), Files.createDirectory(dir.resolve("submit")), env)) {
            assertThat(lambda.invoke(ApiHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0002")))
                    .startsWith("INIT-ERROR " + AwsSettings.InvalidSettingException.class.getName())
                    .contains(AwsSettings.STATE_MACHINE_ARN + " is not set");
        }
        // The OpenAPI function needs none of the API's variables.
        Map<String, String> openApi = new HashMap<>(Map.of(AwsSettings.API_OPERATION, ApiOperation.GET_OPENAPI.name()));
        try (LambdaContainer lambda = new LambdaContainer(apiJar(), Files.createDirectory(dir.resolve("openapi")), openApi)) {
            assertThat(lambda.invokeOk(ApiHandler.class,
                    ApiGatewayEvents.event("GET", "/openapi.json", "/openapi.json", Map.of(), Map.of(), null, "jarkey0002"))
                    .status()).isEqualTo(200);
            assertThat(lambda.invokeOk(ApiHandler.class, ApiGatewayEvents.submit(DOCKERFILE, "jarkey0002")).status())
                    .as("no other route").isEqualTo(404);
        }
    }
}
