package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.dynamodb.ApiKeyTable;
import io.perfbox.adapter.aws.dynamodb.DynamoDbApiKeyStore;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.adapter.aws.s3.ArtifactKeys;
import io.perfbox.adapter.aws.s3.BuildArtifacts;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.auth.ApiKeys;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.api.ApiHandler;
import io.perfbox.runtime.aws.api.ApiRuntime;
import io.perfbox.runtime.aws.auth.TenantAuthorizer;
import io.perfbox.runtime.aws.workflow.AdmitHandler;
import io.perfbox.runtime.aws.workflow.AfterBuildHandler;
import io.perfbox.runtime.aws.workflow.BeginHandler;
import io.perfbox.runtime.aws.workflow.CleanUpHandler;
import io.perfbox.runtime.aws.workflow.ExecutionEndedHandler;
import io.perfbox.runtime.aws.workflow.PrepareRunHandler;
import io.perfbox.runtime.aws.workflow.ReconcileHandler;
import io.perfbox.runtime.aws.workflow.RecordFailureHandler;
import io.perfbox.runtime.aws.workflow.RecordRunHandler;
import io.perfbox.runtime.aws.workflow.WorkflowConfig;
import io.perfbox.runtime.aws.workflow.WorkflowWiring;
import io.perfbox.testing.aws.AwsTestClients;
import io.perfbox.testing.aws.CollectorRecords;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.aws.StepInputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.codebuild.model.StopBuildRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Every SDK call the functions make on a job's paths, checked against the synthesized IAM policies: the real
 * handlers and API functions over the real adapters and SDK clients (the workflow's wired by {@link WorkflowWiring}, as
 * in Lambda), against moto (DynamoDB, S3, ECS, ECR, CloudWatch Logs, Step Functions, IAM, CodeBuild), each
 * invocation recorded as the function whose handler it is
 * ({@link SdkCallRecorder}). The resources in moto carry the names and ARNs the resolved template gives them, and
 * each function is configured from its own resolved environment, so a call's ARN is the one the function would use
 * in the stack. Then {@link IamEvaluator}: every call allowed, every grant used, no needless {@code *}.
 *
 * <p>What the workflow's own services do (CodeBuild building, ECS running the task) the test does itself, through
 * clients that are not recorded, as those services would: the build's objects in S3, a build in CodeBuild, a running
 * task, its log and its collector's record. No function calls IAM (or EFS) on any path: the job's task has no role of
 * its own, and IAM's role count is the same after every job as before the first. The scheduled reconciler runs last, an hour on, over a stale job, a job never started and leaked
 * resources.
 * A new workflow state or API route is found by {@code functionFor} by itself (another function needs one case
 * there) and is driven here on its path; a new SDK operation needs one line in {@link IamActions}.
 */
class IamPoliciesIT {
    private static final String REGION = Moto.region().id();
    /** moto's default account, which the resolved template uses too. */
    private static final String ACCOUNT = "123456789012";
    private static final String TENANT = "tenant01";
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.99}' > /data/perf.json\n";

    private static StackPolicies policies;
    private static SdkCallRecorder recorder;
    private static Clients recorded;
    private static Clients setup;
    private static Map<String, String> stepEnvironment;
    private static ExecutionHistory history;
    /** A subnet of moto's default VPC: moto places a task only in a subnet it knows. */
    private static String subnet;
    private static SfnClient historyClient;
    private static WorkflowConfig workflowConfig;
    /** IAM's roles in the account before the first job: every job leaves the count as it found it. */
    private static int rolesBefore;

    private static final EngineAnswers ANSWERS = new EngineAnswers();

    /**
     * What moto does not do as AWS does, done here on the recorded clients' exchanges: a build
     * still IN_PROGRESS when the clean-up looks (moto's builds finish as they are read; armed per build); and a job
     * deleted by the API while a step ran, between the step's read of the job and its write (armed per job).
     */
    private static final class EngineAnswers implements ExecutionInterceptor {
        private final Set<String> deleteBeforeWrite = ConcurrentHashMap.newKeySet();
        private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

        /** The builds CodeBuild took a StopBuild for (moto's builds read as finished, stopped or not). */
        private final Set<String> stopped = ConcurrentHashMap.newKeySet();

        void buildInProgress(String buildId) {
            inProgress.add(buildId);
        }

        void deleteBeforeNextWrite(JobId id) {
            deleteBeforeWrite.add(id.value());
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context,
                                    ExecutionAttributes attributes) {
            // A job's write is a PutItem, or (a platform fault, with its submission) a transaction's put of JOB#<id>.
            List<Put> puts = new ArrayList<>();
            if (context.request() instanceof PutItemRequest single) {
                puts.add(Put.builder().tableName(single.tableName())
                        .item(single.item()).build());
            }
            if (context.request() instanceof TransactWriteItemsRequest tx) {
                tx.transactItems().stream().filter(i -> i.put() != null
                        && i.put().item().getOrDefault("pk", AttributeValue.fromS("")).s().startsWith("JOB#"))
                        .forEach(i -> puts.add(i.put()));
            }
            for (Put put : puts) {
                if (!put.item().containsKey("pk")) {
                    continue;
                }
                String pk = put.item().get("pk").s();
                String jobId = pk.substring(pk.indexOf('#') + 1);
                if (deleteBeforeWrite.remove(jobId)) {
                    // The DELETE route's work, landing between the step's read and its write: the job's item and
                    // files gone, but for what the step itself stored in the meantime.
                    setup.dynamoDb().deleteItem(b -> b.tableName(put.tableName()).key(Map.of("pk", put.item().get("pk"))));
                    String bucket = stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET");
                    setup.s3().putObject(b -> b.bucket(bucket).key(ArtifactKeys.of(new JobId(jobId), "artifacts/step.log")),
                            RequestBody.fromString("what the step stored"));
                }
            }
        }

        @Override
        public SdkResponse modifyResponse(
                Context.ModifyResponse context,
                ExecutionAttributes attributes) {
            if (context.response() instanceof BatchGetBuildsResponse got) {
                return got.toBuilder().builds(got.builds().stream().map(b -> inProgress.contains(b.id())
                        ? b.toBuilder().buildStatus(StatusType.IN_PROGRESS).buildComplete(false).endTime(null).build()
                        : b).toList()).build();
            }
            if (context.request() instanceof StopBuildRequest stop) {
                inProgress.remove(stop.id());
                stopped.add(stop.id());
            }
            return context.response();
        }
    }

    /** One client per service; the recorded ones carry the recorder. */
    private record Clients(DynamoDbClient dynamoDb, S3Client s3, EcsClient ecs, EcrClient ecr,
                           CloudWatchLogsClient logs, SfnClient sfn, IamClient iam, CodeBuildClient codeBuild) {
        static Clients of(SdkCallRecorder recorder) {
            ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder();
            if (recorder != null) {
                o.addExecutionInterceptor(ANSWERS).addExecutionInterceptor(recorder);
            }
            ClientOverrideConfiguration override = o.build();
            return new Clients(
                    moto(DynamoDbClient.builder()).overrideConfiguration(override).build(),
                    moto(S3Client.builder()).forcePathStyle(true).overrideConfiguration(override).build(),
                    moto(EcsClient.builder()).overrideConfiguration(override).build(),
                    moto(EcrClient.builder()).overrideConfiguration(override).build(),
                    moto(CloudWatchLogsClient.builder()).overrideConfiguration(override).build(),
                    moto(SfnClient.builder()).overrideConfiguration(override).build(),
                    moto(IamClient.builder()).overrideConfiguration(override).build(),
                    moto(CodeBuildClient.builder()).overrideConfiguration(override).build());
        }

        private static <B extends AwsClientBuilder<B, C>, C> B moto(B b) {
            return AwsTestClients.configure(b, Moto.endpoint(), Moto.region(), Moto.credentials());
        }
    }

    @BeforeAll
    static void stackResourcesInMoto() {
        setup = Clients.of(null);
        recorder = new SdkCallRecorder(new IamActions.Arns(REGION, ACCOUNT));
        recorded = Clients.of(recorder);
        JsonNode template = TemplateQueries.template();
        policies = StackPolicies.of(template, REGION, ACCOUNT, Map.of());
        rolesBefore = roleCount();

        stepEnvironment = environment(functionFor(WorkflowFunctions.State.BEGIN));
        Map<String, String> api = environment(functionFor(ApiOperation.SUBMIT_JOB));
        Map<String, String> authorizer = environment(functionFor("authorizer"));
        JobTable.createIfMissing(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE"));
        ApiKeyTable.createIfMissing(setup.dynamoDb(), authorizer.get("PERFBOX_API_KEYS_TABLE"));
        setup.s3().createBucket(b -> b.bucket(stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET")));
        String cluster = stepEnvironment.get("PERFBOX_CLUSTER_ARN");
        setup.ecs().createCluster(b -> b.clusterName(cluster.substring(cluster.lastIndexOf('/') + 1)));
        setup.ecr().createRepository(b -> b.repositoryName(stepEnvironment.get("PERFBOX_ECR_REPOSITORY")));
        setup.logs().createLogGroup(b -> b.logGroupName(stepEnvironment.get("PERFBOX_TASK_LOG_GROUP")));
        setup.logs().createLogGroup(b -> b.logGroupName(api.get("PERFBOX_BUILD_LOG_GROUP")));
        String stateMachine = api.get("PERFBOX_STATE_MACHINE_ARN");
        setup.sfn().createStateMachine(b -> b.name(stateMachine.substring(stateMachine.lastIndexOf(':') + 1))
                .roleArn("arn:aws:iam::" + ACCOUNT + ":role/perfbox-state-machine")
                .definition("{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}"));
        assertThat(setup.sfn().listStateMachines().stateMachines())
                .anyMatch(m -> m.stateMachineArn().equals(stateMachine));
        subnet = defaultSubnet();
        // The build project (the build's own settings are CodeBuild's).
        setup.codeBuild().createProject(b -> b.name(stepEnvironment.get("PERFBOX_BUILD_PROJECT"))
                .source(src -> src.type("S3").location(stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET") + "/source.zip"))
                .artifacts(a -> a.type("NO_ARTIFACTS"))
                .environment(e -> e.type("LINUX_CONTAINER").image("aws/codebuild/standard:7.0")
                        .computeType("BUILD_GENERAL1_SMALL"))
                .serviceRole("arn:aws:iam::" + ACCOUNT + ":role/perfbox-build"));
        String buildLogs = api.get("PERFBOX_BUILD_LOG_GROUP");
        setup.logs().createLogStream(b -> b.logGroupName(buildLogs).logStreamName(ExecutionHistory.BUILD));
        setup.logs().putLogEvents(b -> b.logGroupName(buildLogs).logStreamName(ExecutionHistory.BUILD).logEvents(
                InputLogEvent.builder().timestamp(System.currentTimeMillis()).message("#1 building").build()));
        try {
            history = new ExecutionHistory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        historyClient = AwsTestClients.configure(SfnClient.builder(), history.endpoint(), Moto.region(),
                Moto.credentials()).overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
        Map<String, String> env = new HashMap<>(stepEnvironment);
        env.put("AWS_REGION", REGION);
        workflowConfig = WorkflowConfig.fromEnvironment(env);
    }

    /** EC2's DescribeSubnets as a plain query request (the test has no EC2 client; moto checks no signature). */
    private static String defaultSubnet() {
        try {
            var request = HttpRequest.newBuilder(Moto.endpoint())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + REGION
                            + "/ec2/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeSubnets&Version=2016-11-15"))
                    .build();
            try (var http = HttpClient.newHttpClient()) {
                String answer = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                var found = Pattern.compile("<subnetId>(subnet-[0-9a-f]+)</subnetId>").matcher(answer);
                assertThat(found.find()).as("moto's default subnets: %s", answer).isTrue();
                return found.group(1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopHistory() {
        if (history != null) {
            history.close();
        }
    }

    @Test
    void everyCallOnTheJobPathsIsAllowedAndEveryGrantOfEveryFunctionIsUsed() throws Exception {
        Api api = new Api();
        String key = authorized();

        // A job that runs and succeeds; every read of the API on it; its deletion.
        JobId succeeded = api.submit(Map.of());
        workflowUntilRunning(succeeded);
        api.readWhileUnderWay(succeeded);
        String task = history.tasks.get(succeeded.value());
        collectorRecorded(task, "{\"perf\":0.99}");
        Map<String, Object> ran = input(succeeded);
        ran.put("task", StepInputs.JSON.readTree(StepInputs.succeededTask(succeeded).replace(StepInputs.TASK_ARN, task)
                .replace(StepInputs.CLUSTER, stepEnvironment.get("PERFBOX_CLUSTER_ARN"))));
        assertThat(as(WorkflowFunctions.State.RECORD_RUN, () -> workflow().recordRun().handleRequest(ran, null)))
                .containsEntry("recorded", true);
        assertThat(new DynamoDbJobStore(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE")).find(succeeded)
                .orElseThrow().performance()).isEqualTo(0.99);
        // Its build still in progress (a rescan, say): the clean-up stops it by id.
        ANSWERS.buildInProgress(buildOf(succeeded));
        cleanUp(succeeded);
        assertThat(ANSWERS.stopped).contains(buildOf(succeeded));
        api.readOnceEnded(succeeded);
        api.delete(succeeded);

        // A job of two runs: each run a task of its own; RecordRun joins the run log the first stored with the second's.
        JobId twice = api.submitRuns(2);
        String taskDefinition = workflowUntilRunning(twice);
        for (int run = 1; run <= 2; run++) {
            if (run == 2) {
                taskRunning(twice, taskDefinition);
            }
            String runTask = history.tasks.get(twice.value());
            collectorRecorded(runTask, "{\"perf\":" + (run == 1 ? 1 : 3) + "}");
            Map<String, Object> ranRun = input(twice);
            ranRun.put("run", run);
            ranRun.put("task", StepInputs.JSON.readTree(StepInputs.succeededTask(twice).replace(StepInputs.TASK_ARN, runTask)
                    .replace(StepInputs.CLUSTER, stepEnvironment.get("PERFBOX_CLUSTER_ARN"))));
            assertThat(as(WorkflowFunctions.State.RECORD_RUN, () -> workflow().recordRun().handleRequest(ranRun, null)))
                    .containsEntry("proceed", run == 1).containsEntry("recorded", run == 2);
        }
        assertThat(new DynamoDbJobStore(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE")).find(twice)
                .orElseThrow().performance()).isEqualTo(2.0);
        cleanUp(twice);

        // A build that failed: AfterBuild reads the job's Dockerfile to name the instruction that failed.
        JobId buildFailed = api.submit(Map.of());
        admit(buildFailed);
        assertThat(as(WorkflowFunctions.State.BEGIN, () -> workflow().begin().handleRequest(input(buildFailed), null)))
                .containsEntry("proceed", true);
        buildFailedLeft(buildFailed);
        assertThat(as(WorkflowFunctions.State.AFTER_BUILD,
                () -> workflow().afterBuild().handleRequest(input(buildFailed), null))).containsEntry("proceed", false);
        assertThat(new DynamoDbJobStore(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE")).find(buildFailed)
                .orElseThrow().failure().code()).isEqualTo(FailureCode.BUILD_FAILED);
        cleanUp(buildFailed);

        // A task that did not start in time (RunTask's own timer): RecordFailure stops it.
        JobId overran = api.submit(Map.of("Idempotency-Key", "retry-0001"));
        assertThat(api.submit(Map.of("Idempotency-Key", "retry-0001"))).isEqualTo(overran);
        workflowUntilRunning(overran);
        Map<String, Object> timedOut = input(overran);
        timedOut.put("stage", "RunTask");
        timedOut.put("error", Map.of("Error", "States.Timeout", "Cause", "the task ran longer than its timeout"));
        assertThat(as(WorkflowFunctions.State.RECORD_FAILURE, () -> workflow().recordFailure()
                .handleRequest(timedOut, null))).containsEntry("recorded", true);
        // A run its run clock stopped (runTask.sync's failure, as the Catch passes it: its own task, in this
        // cluster): RecordFailure records the run it was, with its log.
        JobId clockStopped = api.submit(Map.of());
        workflowUntilRunning(clockStopped);
        Map<String, Object> ranOut = input(clockStopped);
        ranOut.put("stage", "RunTask");
        ranOut.put("error", StepInputs.JSON.readValue(StepInputs.runClockExpiredError(clockStopped, 900_000)
                .replace(StepInputs.TASK_ARN, history.tasks.get(clockStopped.value()))
                .replace(StepInputs.CLUSTER, stepEnvironment.get("PERFBOX_CLUSTER_ARN")), Map.class));
        assertThat(as(WorkflowFunctions.State.RECORD_FAILURE, () -> workflow().recordFailure()
                .handleRequest(ranOut, null))).containsEntry("recorded", true);
        cleanUp(clockStopped);
        cleanUp(overran);

        // The same from RecordFailedRun (RecordRun on the run's Catch), for a job cancelled and deleted meanwhile:
        // its task is still stopped and its log read.
        JobId deleted = api.submit(Map.of());
        workflowUntilRunning(deleted);
        Map<String, Object> failedRun = input(deleted);
        failedRun.put("error", Map.of("Error", "States.Timeout", "Cause", "the task ran longer than its timeout"));
        api.cancel(deleted);
        api.delete(deleted);
        as(WorkflowFunctions.State.RECORD_RUN, () -> workflow().recordRun().handleRequest(failedRun, null));

        // A job cancelled while it runs: the execution-ended rule's function cleans up and records it.
        JobId cancelled = api.submit(Map.of());
        workflowUntilRunning(cancelled);
        api.cancel(cancelled);
        Map<String, Object> ended = input(cancelled);
        ended.put("status", "ABORTED");
        ANSWERS.buildInProgress(buildOf(cancelled));
        as(WorkflowFunctions.State.EXECUTION_ENDED, () -> workflow().executionEnded().handleRequest(ended, null));

        // A job whose execution failed while it ran: ExecutionEnded ends it.
        JobId failed = api.submit(Map.of());
        workflowUntilRunning(failed);
        Map<String, Object> executionFailed = input(failed);
        executionFailed.put("status", "FAILED");
        assertThat(as(WorkflowFunctions.State.EXECUTION_ENDED, () -> workflow().executionEnded()
                .handleRequest(executionFailed, null))).containsEntry("recorded", true);
        // A job cancelled before its build has no scan report: the scan answers without one.
        JobId unbuilt = api.submit(Map.of());
        admit(unbuilt);
        api.cancel(unbuilt);
        // Begin then stops it, and the ReleaseAdmission state (the Admit function) gives its slot back.
        assertThat(as(WorkflowFunctions.State.BEGIN, () -> workflow().begin().handleRequest(input(unbuilt), null)))
                .containsEntry("proceed", false);
        Map<String, Object> release = input(unbuilt);
        release.put("release", true);
        assertThat(as(WorkflowFunctions.State.ADMIT, () -> workflow().admit().handleRequest(release, null)))
                .containsEntry("released", true);
        api.read(ApiOperation.GET_JOB_SCAN, new ApiHandler(api.api), "/scan", unbuilt, 200);
        // A job without its Dockerfile (as a failed submit's rollback can leave one): 404.
        setup.s3().deleteObject(b -> b.bucket(stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET"))
                .key(ArtifactKeys.dockerfile(failed)));
        api.read(ApiOperation.GET_JOB_DOCKERFILE, new ApiHandler(api.api), "/dockerfile", failed, 404);
        api.delete(failed);

        // A retried submit after its job was deleted: the idempotency key is free again.
        api.delete(overran);
        JobId again = api.submit(Map.of("Idempotency-Key", "retry-0001"));
        assertThat(again).isNotEqualTo(overran);

        // Deleted by the API while each job-store step ran, between its read and its write: the write loses, and
        // the step drops what it stored after the delete.
        // (Begin stores nothing, so there is nothing of its own to drop.)
        for (WorkflowFunctions.State state : List.of(WorkflowFunctions.State.AFTER_BUILD,
                WorkflowFunctions.State.RECORD_RUN, WorkflowFunctions.State.RECORD_FAILURE,
                WorkflowFunctions.State.EXECUTION_ENDED)) {
            JobId racing = api.submit(Map.of());
            if (state == WorkflowFunctions.State.AFTER_BUILD) {
                // A build that just ended, for a job still BUILDING.
                as(WorkflowFunctions.State.BEGIN, () -> workflow().begin().handleRequest(input(racing), null));
                buildLeft(racing);
            } else {
                workflowUntilRunning(racing);
            }
            Map<String, Object> in = input(racing);
            in.put("status", "FAILED");
            in.put("stage", "RunTask");
            in.put("error", Map.of("Error", "States.TaskFailed", "Cause", "{}"));
            ANSWERS.deleteBeforeNextWrite(racing);
            Map<String, Object> stepInput = in;
            as(state, () -> workflow().handler(state).handleRequest(stepInput, null));
            assertThat(setup.s3().listObjectsV2(b -> b.bucket(stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET"))
                    .prefix(ArtifactKeys.jobPrefix(racing))).contents()).as(state + " dropped what it stored").isEmpty();
        }
        reconcile(api);
        assertThat(key).isNotBlank();

        // Issue 18: IAM's control plane is on no job's path. No function called IAM (nor EFS) for any of these jobs,
        // and the account holds as many roles as before the first.
        assertThat(recorder.calls()).extracting(IamCall::operation)
                .noneMatch(operation -> operation.startsWith("Iam.") || operation.startsWith("Efs."));
        assertThat(roleCount()).as("IAM roles after every job").isEqualTo(rolesBefore);

        IamEvaluator.Report report = IamEvaluator.check(policies, recorder.calls(), recorder.problems());
        System.out.println("[perfbox] " + recorder.calls().size() + " authorizations recorded from "
                + recorder.calls().stream().map(IamCall::operation).distinct().count() + " operations of "
                + recorder.calls().stream().map(IamCall::function).distinct().count() + " functions");
        assertThat(report.clean()).as("%s", report).isTrue();

        // And it fails: without PrepareRun's PassRole its task definitions are refused (they name the execution role),
        // and the grant is missing.
        String prepareRun = functionFor(WorkflowFunctions.State.PREPARE_RUN);
        IamEvaluator.Report withoutPassRole = IamEvaluator.check(policies.withoutAction(prepareRun, "iam:PassRole"),
                recorder.calls(), recorder.problems());
        String refused = prepareRun + ": Ecs.RegisterTaskDefinition needs iam:PassRole on ";
        assertThat(withoutPassRole.denied()).isNotEmpty().allMatch(d -> d.startsWith(refused))
                .anyMatch(d -> d.startsWith(refused + stepEnvironment.get("PERFBOX_TASK_EXECUTION_ROLE_ARN")));
    }

    /**
     * The scheduled reconciler, run as if an hour later (past its grace period): a job whose execution ended without
     * it (stopped behind the workflow's back) is ended; the same, deleted by the API between the reconciler's read
     * and its write, has what was stored meanwhile dropped; a QUEUED job without an execution is started; and a job
     * that was deleted while it still held its task definition, image and a build in progress has them all swept.
     */
    private void reconcile(Api api) {
        String stateMachine = stepEnvironment.get("PERFBOX_STATE_MACHINE_ARN");
        JobId stale = api.submit(Map.of());
        workflowUntilRunning(stale);
        setup.sfn().stopExecution(b -> b.executionArn(executionArn(stale)));
        JobId staleDeleted = api.submit(Map.of());
        workflowUntilRunning(staleDeleted);
        setup.sfn().stopExecution(b -> b.executionArn(executionArn(staleDeleted)));
        ANSWERS.deleteBeforeNextWrite(staleDeleted);
        JobId neverStarted = JobId.random();
        new DynamoDbJobStore(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE")).create(
                Job.queued(neverStarted, TENANT, "never started", null, Instant.now()), Optional.empty());
        JobId leaked = api.submit(Map.of());
        workflowUntilRunning(leaked);
        ANSWERS.buildInProgress(buildOf(leaked));
        api.cancel(leaked);
        assertThat(ANSWERS.stopped).doesNotContain(buildOf(leaked));
        api.delete(leaked);

        Map<String, Object> report = as(WorkflowFunctions.State.RECONCILE, () -> workflow(
                Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).reconcile(
                Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).handleRequest(Map.of(), null));

        assertThat(report.get("ended")).asInstanceOf(InstanceOfAssertFactories.LIST).contains(stale.value()).doesNotContain(staleDeleted.value());
        assertThat(report.get("started")).asInstanceOf(InstanceOfAssertFactories.LIST).containsExactly(neverStarted.value());
        assertThat(report.get("swept")).asInstanceOf(InstanceOfAssertFactories.LIST).contains(leaked.value());
        Job ended = new DynamoDbJobStore(setup.dynamoDb(), stepEnvironment.get("PERFBOX_JOBS_TABLE")).find(stale)
                .orElseThrow();
        assertThat(ended.status()).isEqualTo(JobStatus.FAILED);
        assertThat(ended.failure().code()).isEqualTo(FailureCode.INTERNAL);
        assertThat(setup.s3().listObjectsV2(b -> b.bucket(stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET"))
                .prefix(ArtifactKeys.jobPrefix(staleDeleted))).contents()).as("the reconciler dropped what was stored")
                .isEmpty();
        assertThat(setup.sfn().listExecutions(b -> b.stateMachineArn(stateMachine)).executions())
                .anyMatch(e -> e.name().equals(neverStarted.value()));
        assertThat(setup.ecr().listImages(b -> b.repositoryName(stepEnvironment.get("PERFBOX_ECR_REPOSITORY")))
                .imageIds()).noneMatch(image -> AwsJobNames.imageTag(leaked).equals(image.imageTag()));
        assertThat(ANSWERS.stopped).contains(buildOf(leaked));
    }

    private static String executionArn(JobId id) {
        return stepEnvironment.get("PERFBOX_STATE_MACHINE_ARN").replace(":stateMachine:", ":execution:") + ":" + id.value();
    }

    /** Every role in the account's IAM now, every page. */
    private static int roleCount() {
        return (int) setup.iam().listRolesPaginator(b -> b.maxItems(100)).roles().stream().count();
    }

    /**
     * What the task's collector writes through awslogs once the job's container exited (infra-cdk/task-helpers,
     * TaskHelpersImageIT): its record of /data/perf.json on its own stream of the task log group.
     */
    private static void collectorRecorded(String taskArn, String perfJson) {
        String group = stepEnvironment.get("PERFBOX_TASK_LOG_GROUP");
        String stream = AwsJobNames.collectorLogStream(taskArn);
        setup.logs().createLogStream(b -> b.logGroupName(group).logStreamName(stream));
        long now = System.currentTimeMillis();
        List<InputLogEvent> events = new ArrayList<>();
        for (String line : CollectorRecords.content(perfJson.getBytes(StandardCharsets.UTF_8))) {
            events.add(InputLogEvent.builder().timestamp(now).message(line).build());
        }
        setup.logs().putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
    }

    // ---- the workflow's states, as the state machine runs them ----

    /**
     * The Admit state: the job takes a slot among the jobs in flight. Its synthesized parameters, but a cap above the
     * jobs this test leaves under way at once (its calls, and so what IAM must allow, are the same whatever the cap).
     */
    private void admit(JobId id) {
        Map<String, Object> in = input(id);
        in.put("cap", 100);
        in.put("waitSeconds", 30);
        assertThat(as(WorkflowFunctions.State.ADMIT, () -> workflow().admit().handleRequest(in, null)))
                .containsEntry("admitted", true);
    }

    /** Every state up to a running task; the job's task definition (for a further run's task). */
    private String workflowUntilRunning(JobId id) {
        admit(id);
        assertThat(as(WorkflowFunctions.State.BEGIN, () -> workflow().begin().handleRequest(input(id), null)))
                .containsEntry("proceed", true);
        new Api().readWhileUnderWay(id);
        buildLeft(id);
        Map<String, Object> built = as(WorkflowFunctions.State.AFTER_BUILD,
                () -> workflow().afterBuild().handleRequest(input(id), null));
        assertThat(built).containsEntry("proceed", true);
        Map<String, Object> prepare = input(id);
        prepare.put("imageUri", built.get("imageUri"));
        Map<String, Object> prepared = as(WorkflowFunctions.State.PREPARE_RUN,
                () -> workflow().prepareRun().handleRequest(prepare, null));
        // Retried (its answer lost): another revision of the job's family, nothing else made.
        assertThat(as(WorkflowFunctions.State.PREPARE_RUN, () -> workflow().prepareRun().handleRequest(prepare, null)))
                .containsKey("taskDefinitionArn");
        taskRunning(id, (String) prepared.get("taskDefinitionArn"));
        return (String) prepared.get("taskDefinitionArn");
    }

    /** The job's build, as its execution's history names it. */
    private static String buildOf(JobId id) {
        return history.builds.get(id.value());
    }

    private void cleanUp(JobId id) {
        assertThat(as(WorkflowFunctions.State.CLEAN_UP, () -> workflow().cleanUp().handleRequest(input(id), null)))
                .containsEntry("cleanedUp", true);
    }

    /**
     * What CodeBuild leaves: its build (named in the execution's history), the build's log, its outcome and Trivy's
     * report in the bucket, the image in ECR.
     */
    private void buildLeft(JobId id) {
        String buildId = setup.codeBuild().startBuild(b -> b.projectName(stepEnvironment.get("PERFBOX_BUILD_PROJECT")))
                .build().id();
        history.built(id, buildId);
        String bucket = stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET");
        String repository = stepEnvironment.get("PERFBOX_ECR_REPOSITORY");
        put(bucket, AwsJobNames.artifactKey(id, BuildArtifacts.Artifact.LOG.fileName()), "#1 load build definition\n");
        put(bucket, AwsJobNames.artifactKey(id, BuildArtifacts.Artifact.OUTCOME.fileName()),
                "{\"outcome\":\"BUILT\",\"reason\":\"\",\"pushed\":true,\"trivyVersion\":\"0.58.1\",\"imageUri\":\""
                        + "registry.invalid/" + repository + ":" + AwsJobNames.imageTag(id) + "\"}");
        put(bucket, AwsJobNames.artifactKey(id, BuildArtifacts.Artifact.SCAN_REPORT.fileName()),
                "{\"SchemaVersion\": 2, \"ArtifactName\": \"job-image\", \"ArtifactType\": \"container_image\","
                        + " \"Results\": []}");
        setup.ecr().putImage(b -> b.repositoryName(repository).imageTag(AwsJobNames.imageTag(id))
                .imageManifest("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                        + "\"config\":{\"digest\":\"sha256:" + "0".repeat(63) + id.value().charAt(0) + "\"},\"layers\":[]}"));
    }

    /** What CodeBuild leaves for a build that failed: its build, the build's log and its outcome, no image. */
    private void buildFailedLeft(JobId id) {
        String buildId = setup.codeBuild().startBuild(b -> b.projectName(stepEnvironment.get("PERFBOX_BUILD_PROJECT")))
                .build().id();
        history.built(id, buildId);
        String bucket = stepEnvironment.get("PERFBOX_ARTIFACT_BUCKET");
        put(bucket, AwsJobNames.artifactKey(id, BuildArtifacts.Artifact.LOG.fileName()),
                "[perfbox] docker build (limit 900s)\n#1 load build definition\n[perfbox] docker build failed (exit 1)\n");
        put(bucket, AwsJobNames.artifactKey(id, BuildArtifacts.Artifact.OUTCOME.fileName()),
                "{\"outcome\":\"BUILD_FAILED\",\"reason\":\"docker build exited with 1\",\"pushed\":false,"
                        + "\"trivyVersion\":\"0.58.1\"}");
    }

    /** What ECS does with the task definition: the job's task running, its container's log stream written. */
    private void taskRunning(JobId id, String taskDefinitionArn) {
        String cluster = stepEnvironment.get("PERFBOX_CLUSTER_ARN");
        // moto places a task only when its containers name their memory, which the job's (task-level memory) do
        // not: it runs a revision of the job's family that does. The job's tasks are found by family either way.
        var registered = setup.ecs().describeTaskDefinition(b -> b.taskDefinition(taskDefinitionArn)).taskDefinition();
        String placeable = setup.ecs().registerTaskDefinition(b -> b.family(registered.family())
                .requiresCompatibilities(registered.requiresCompatibilities()).networkMode(registered.networkMode())
                .cpu(registered.cpu()).memory(registered.memory())
                .containerDefinitions(registered.containerDefinitions().stream()
                        .map(c -> c.toBuilder().memory(Integer.parseInt(registered.memory())).build()).toList()))
                .taskDefinition().taskDefinitionArn();
        String taskArn = setup.ecs().runTask(b -> b.cluster(cluster).taskDefinition(placeable)
                .launchType(LaunchType.FARGATE).startedBy("perfbox")
                .networkConfiguration(n -> n.awsvpcConfiguration(v -> v.subnets(subnet).securityGroups("sg-0123456789abcdef0"))))
                .tasks().get(0).taskArn();
        history.submitted(id, taskArn);
        String group = stepEnvironment.get("PERFBOX_TASK_LOG_GROUP");
        String stream = AwsJobNames.runLogStream(taskArn);
        setup.logs().createLogStream(b -> b.logGroupName(group).logStreamName(stream));
        setup.logs().putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(
                InputLogEvent.builder().timestamp(System.currentTimeMillis()).message("running " + id).build()));
    }

    /**
     * Step Functions' history of a job's execution as the state machine writes it (moto's executions run no state,
     * so their history lacks these): the TaskSubmitted events of the build (CodeBuild's StartBuild answer) and of
     * the task (ECS's RunTask answer), newest first, with the build's log stream written in the build log group.
     * Every other Step Functions request is moto's: it is passed on as it came.
     */
    private static final class ExecutionHistory implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, String> tasks = new ConcurrentHashMap<>();
        private final Map<String, String> builds = new ConcurrentHashMap<>();
        private final HttpClient moto = HttpClient.newHttpClient();

        ExecutionHistory() throws IOException {
            server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                byte[] answer;
                int status = 200;
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    JsonNode request = StepInputs.JSON.readTree(body);
                    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
                    if (!"AWSStepFunctions.GetExecutionHistory".equals(target)) {
                        passOn(exchange, body);
                        return;
                    }
                    String execution = request.path("executionArn").asText();
                    String job = execution.substring(execution.lastIndexOf(':') + 1);
                    String taskArn = tasks.get(job);
                    String buildId = builds.getOrDefault(job, "BuildAndScanProject:" + BUILD);
                    {
                        var events = StepInputs.JSON.createArrayNode();
                        if (taskArn != null) {
                            events.addObject().put("id", 9).put("timestamp", 1772366401.5).put("type", "TaskSubmitted")
                                .putObject("taskSubmittedEventDetails").put("resourceType", "ecs")
                                .put("resource", "runTask.sync").put("output",
                                        "{\"Tasks\":[{\"TaskArn\":\"" + taskArn + "\"}]}");
                        }
                        events.addObject().put("id", 4).put("timestamp", 1772366301.5).put("type", "TaskSubmitted")
                                .putObject("taskSubmittedEventDetails").put("resourceType", "codebuild")
                                .put("resource", "startBuild.sync").put("output",
                                        "{\"Build\":{\"Id\":\"" + buildId + "\"}}");
                        answer = StepInputs.JSON.createObjectNode().set("events", events).toString()
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                    exchange.sendResponseHeaders(status, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.start();
        }

        static final String BUILD = "7d1c1c2e-5b0e-4a58-9a9e-3c1f6f0d2b71";

        void submitted(JobId id, String taskArn) {
            tasks.put(id.value(), taskArn);
        }

        void built(JobId id, String buildId) {
            builds.put(id.value(), buildId);
        }

        private void passOn(HttpExchange exchange, byte[] body) throws IOException {
            var request = HttpRequest.newBuilder(Moto.endpoint().resolve(exchange.getRequestURI()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Content-Type", "X-Amz-Target", "Authorization", "X-Amz-Date")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            try {
                var answer = moto.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                answer.headers().firstValue("Content-Type")
                        .ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private void put(String bucket, String key, String content) {
        setup.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    /**
     * The workflow functions' handlers over {@link WorkflowWiring} (what WorkflowRuntime builds in Lambda), from the
     * step functions' resolved environment, on the recorded clients (Step Functions through the history stub).
     */
    private record Workflow(WorkflowWiring wiring) {
        AdmitHandler admit() {
            return new AdmitHandler(wiring.admission());
        }

        BeginHandler begin() {
            return new BeginHandler(wiring.lifecycle());
        }

        AfterBuildHandler afterBuild() {
            return new AfterBuildHandler(wiring.lifecycle(), wiring.ports().builds(), wiring.config());
        }

        PrepareRunHandler prepareRun() {
            return new PrepareRunHandler(wiring.ports().taskDefinitions(), wiring.config().ecrRepository());
        }

        RecordRunHandler recordRun() {
            return new RecordRunHandler(wiring.runRecorder());
        }

        RecordFailureHandler recordFailure() {
            return new RecordFailureHandler(wiring.runRecorder());
        }

        CleanUpHandler cleanUp() {
            return new CleanUpHandler(wiring.cleanUp());
        }

        ExecutionEndedHandler executionEnded() {
            return new ExecutionEndedHandler(wiring.lifecycle(), wiring.cleanUp());
        }

        ReconcileHandler reconcile(Clock clock) {
            return new ReconcileHandler(wiring.reconciler(clock));
        }

        RequestHandler<Map<String, Object>, Map<String, Object>> handler(
                WorkflowFunctions.State state) {
            return switch (state) {
                case BEGIN -> begin();
                case AFTER_BUILD -> afterBuild();
                case RECORD_RUN -> recordRun();
                case RECORD_FAILURE -> recordFailure();
                case EXECUTION_ENDED -> executionEnded();
                default -> throw new IllegalArgumentException(state + " is not driven here");
            };
        }
    }

    private static Workflow workflow() {
        return workflow(Clock.systemUTC());
    }

    private static Workflow workflow(Clock clock) {
        return new Workflow(WorkflowWiring.of(workflowConfig, new WorkflowWiring.Clients(recorded.dynamoDb(),
                recorded.s3(), recorded.ecs(), recorded.ecr(), recorded.logs(),
                historyClient, recorded.codeBuild()), clock));
    }

    // ---- the API functions, as API Gateway invokes them ----

    private static final class Api {
        final PerfboxApi api;

        void read(ApiOperation route, RequestStreamHandler function, String suffix, JobId id, int status) {
            call(route, function, ApiEvents.onJob("GET", suffix, id.value(), Map.of(), TENANT), status);
        }

        Api() {
            Map<String, String> env = new HashMap<>(environment(functionFor(ApiOperation.GET_JOB_LOGS)));
            env.put("AWS_REGION", REGION);
            AwsSettings.Api settings = AwsSettings.Api.from(env);
            var service = ApiRuntime.jobService(settings, recorded.dynamoDb(), recorded.s3(), recorded.sfn(),
                    Clock.systemUTC());
            AwsSettings.LiveLogs.from(env).ifPresent(live -> service.withLiveLogs(ApiRuntime.liveLogs(settings, live,
                    new S3JobArtifactStore(recorded.s3(), settings.common().artifactBucket()), historyClient,
                    recorded.logs())));
            api = new PerfboxApi(service);
        }

        /** A submission of {@code runs} runs (the JSON body). */
        JobId submitRuns(int runs) {
            String body = "{\"dockerfile\":" + StepInputs.quoted(DOCKERFILE) + ",\"runs\":" + runs + "}";
            JsonNode answer = call(ApiOperation.SUBMIT_JOB, new ApiHandler(api),
                    ApiEvents.event("POST", "/jobs", "/jobs", Map.of(), Map.of(),
                            Map.of("Content-Type", "application/json"), body, TENANT), 202);
            return new JobId(answer.path("id").asText());
        }

        JobId submit(Map<String, String> headers) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Content-Type", "text/plain; charset=utf-8");
            JsonNode answer = call(ApiOperation.SUBMIT_JOB, new ApiHandler(api),
                    ApiEvents.event("POST", "/jobs", "/jobs", Map.of(), Map.of(), h, DOCKERFILE, TENANT), 202);
            return new JobId(answer.path("id").asText());
        }

        void readWhileUnderWay(JobId id) {
            call(ApiOperation.GET_JOB, new ApiHandler(api), ApiEvents.onJob("GET", "", id.value(), Map.of(), TENANT), 200);
            call(ApiOperation.GET_JOB_LOGS, new ApiHandler(api),
                    ApiEvents.event("GET", "/jobs/{id}/logs", "/jobs/" + id.value() + "/logs", Map.of("id", id.value()),
                            Map.of(), Map.of("Accept", "text/plain"), null, TENANT), 200);
        }

        void readOnceEnded(JobId id) {
            call(ApiOperation.GET_JOB, new ApiHandler(api), ApiEvents.onJob("GET", "", id.value(), Map.of(), TENANT), 200);
            call(ApiOperation.LIST_JOBS, new ApiHandler(api),
                    ApiEvents.event("GET", "/jobs", "/jobs", Map.of(), Map.of(), Map.of(), null, TENANT), 200);
            call(ApiOperation.GET_JOB_LOGS, new ApiHandler(api),
                    ApiEvents.event("GET", "/jobs/{id}/logs", "/jobs/" + id.value() + "/logs", Map.of("id", id.value()),
                            Map.of(), Map.of("Accept", "text/plain"), null, TENANT), 200);
            call(ApiOperation.GET_JOB_SCAN, new ApiHandler(api),
                    ApiEvents.onJob("GET", "/scan", id.value(), Map.of(), TENANT), 200);
            call(ApiOperation.GET_JOB_DOCKERFILE, new ApiHandler(api),
                    ApiEvents.onJob("GET", "/dockerfile", id.value(), Map.of(), TENANT), 200);
            call(ApiOperation.GET_LEADERBOARD, new ApiHandler(api),
                    ApiEvents.event("GET", "/leaderboard", "/leaderboard", Map.of(), Map.of(), Map.of(), null, TENANT), 200);
            call(ApiOperation.GET_LEADERBOARD_HISTORY, new ApiHandler(api),
                    ApiEvents.event("GET", "/leaderboard/history", "/leaderboard/history", Map.of(), Map.of(), Map.of(),
                            null, TENANT), 200);
            call(ApiOperation.GET_OPENAPI, new ApiHandler(api),
                    ApiEvents.event("GET", "/openapi.json", "/openapi.json", Map.of(), Map.of(), Map.of(), null, TENANT), 200);
        }

        void cancel(JobId id) {
            call(ApiOperation.CANCEL_JOB, new ApiHandler(api),
                    ApiEvents.onJob("POST", "/cancel", id.value(), Map.of(), TENANT), 200);
        }

        void delete(JobId id) {
            call(ApiOperation.DELETE_JOB, new ApiHandler(api),
                    ApiEvents.onJob("DELETE", "", id.value(), Map.of(), TENANT), 200);
        }

        private static JsonNode call(ApiOperation route, RequestStreamHandler function, String event, int status) {
            String response = recorder.as(functionFor(route), () -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return out.toString(StandardCharsets.UTF_8);
            });
            try {
                JsonNode answer = StepInputs.JSON.readTree(response);
                assertThat(answer.path("statusCode").asInt()).as(route + ": " + response).isEqualTo(status);
                String body = answer.path("body").asText();
                return body.startsWith("{") ? StepInputs.JSON.readTree(body) : answer;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The tenant authorizer on a key in the keys table: allowed. */
    private static String authorized() throws IOException {
        Map<String, String> env = environment(functionFor("authorizer"));
        DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(recorded.dynamoDb(), env.get("PERFBOX_API_KEYS_TABLE"));
        String key = new ApiKeys(new DynamoDbApiKeyStore(setup.dynamoDb(), env.get("PERFBOX_API_KEYS_TABLE")),
                Clock.systemUTC()).create(TENANT).key();
        TenantAuthorizer authorizer = new TenantAuthorizer(new ApiKeys(store, Clock.systemUTC()));
        String event = StepInputs.JSON.createObjectNode().put("type", "TOKEN").put("authorizationToken", "Bearer " + key)
                .put("methodArn", "arn:aws:execute-api:" + REGION + ":" + ACCOUNT + ":abc123/v1/GET/jobs").toString();
        String answer = recorder.as(functionFor("authorizer"), () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                authorizer.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString(StandardCharsets.UTF_8);
        });
        assertThat(answer).contains("Allow");
        return key;
    }

    // ---- functions of the stack ----

    /** The logical id of a workflow state's function: one line per new state or function. */
    static String functionFor(WorkflowFunctions.State state) {
        return StackPolicies.logicalId(SynthesizedStack.STACK.workflowFunctions().function(state));
    }

    static String functionFor(ApiOperation route) {
        return StackPolicies.logicalId(SynthesizedStack.STACK.api().functions().get(route));
    }

    static String functionFor(String other) {
        return switch (other) {
            case "authorizer" -> StackPolicies.logicalId(SynthesizedStack.STACK.api().authorizerFunction());
            default -> throw new IllegalArgumentException("no function " + other);
        };
    }

    private static <T> T as(WorkflowFunctions.State state, Supplier<T> body) {
        return recorder.as(functionFor(state), body);
    }

    private static Map<String, String> environment(String function) {
        return policies.of(function).environment();
    }

    private static Map<String, Object> input(JobId id) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("jobId", id.value());
        return in;
    }

    private static String only(JsonNode template, String type) {
        List<String> ids = new ArrayList<>();
        template.get("Resources").properties().forEach(r -> {
            if (type.equals(r.getValue().path("Type").asText())) {
                ids.add(r.getKey());
            }
        });
        assertThat(ids).as(type).hasSize(1);
        return ids.get(0);
    }
}
