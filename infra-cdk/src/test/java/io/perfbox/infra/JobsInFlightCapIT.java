package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.VulnerabilityPolicy;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import io.perfbox.core.port.JobWorkspace;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.api.ApiHandler;
import io.perfbox.runtime.aws.api.ApiRuntime;
import io.perfbox.runtime.aws.workflow.AdmitHandler;
import io.perfbox.runtime.aws.workflow.CleanUpHandler;
import io.perfbox.runtime.aws.workflow.ExecutionEndedHandler;
import io.perfbox.runtime.aws.workflow.JobCleanUp;
import io.perfbox.testing.aws.AwsTestClients;
import io.perfbox.testing.aws.Moto;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The cap on jobs in flight and the tenants' quotas on moto's DynamoDB, through the real code: the stack synthesized
 * with a cap of 2 ({@code perfbox:codeBuildConcurrentBuilds} 3, one build left to the scanner mirror), a wait of 1 s
 * and a tenant quota of 6 jobs under way; the submit function configured as the stack configures it; the Admit state's
 * handler invoked with the parameters of the synthesized Admit state, and its answer followed as the synthesized
 * Admitted choice and AdmissionWait do (here, each execution is a thread: LocalStack's Step Functions cannot call this
 * JVM's handlers while other executions run, see JobWorkflowExecutionIT for the definition executed there); each job
 * driven through the real lifecycle over the DynamoDB job store to SUCCEEDED, then the CleanUp handler. Nothing runs
 * on CodeBuild or ECS here, so the clean-up's builds and tasks parts find none.
 */
class JobsInFlightCapIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD [\"true\"]\n";
    private static final CapturedLog LOG = new CapturedLog("ok\n", false);

    private static DynamoDbClient dynamoDb;
    private static S3Client s3;
    private static SfnClient sfn;
    private static String table;
    private static String bucket;
    private static String stateMachine;
    private static JsonNode states;
    private static JsonNode submitEnvironment;

    @BeforeAll
    static void stackAndMoto() {
        var app = SynthesizedStack.newApp(Path.of("target/cdk-admission.out"), Map.of(
                "perfbox:codeBuildConcurrentBuilds", 3, "perfbox:admissionWaitSeconds", 1,
                "perfbox:maxActiveJobsPerTenant", 6));
        JsonNode template = TemplateQueries.JSON.valueToTree(Template.fromStack(
                PerfboxStack.createStack(app, SynthesizedStack.STACK_NAME)).toJSON());
        template.get("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::StepFunctions::StateMachine")) {
                // Its Fn::Join parts, every token a placeholder (as TemplateQueries.stateMachineDefinition).
                StringBuilder text = new StringBuilder();
                r.at("/Properties/DefinitionString/Fn::Join/1")
                        .forEach(part -> text.append(part.isTextual() ? part.asText() : "TOKEN"));
                try {
                    states = JSON.readTree(text.toString()).get("States");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (r.at("/Properties/Environment/Variables/" + JobApi.API_OPERATION).asText()
                    .equals(ApiOperation.SUBMIT_JOB.name())) {
                submitEnvironment = r.at("/Properties/Environment/Variables");
            }
        });
        dynamoDb = Moto.dynamoDb();
        s3 = AwsTestClients.configure(S3Client.builder(), Moto.endpoint(), Moto.region(), Moto.credentials())
                .forcePathStyle(true).build();
        sfn = AwsTestClients.configure(SfnClient.builder(), Moto.endpoint(), Moto.region(), Moto.credentials()).build();
    }

    @AfterAll
    static void close() {
        if (dynamoDb != null) {
            dynamoDb.close();
            s3.close();
            sfn.close();
        }
    }

    /** A table, bucket and (never running) state machine of their own for each test. */
    private static void freshResources() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        table = "perfbox-jobs-" + suffix;
        bucket = "perfbox-artifacts-" + suffix;
        JobTable.createIfMissing(dynamoDb, table);
        s3.createBucket(b -> b.bucket(bucket));
        stateMachine = sfn.createStateMachine(b -> b.name("admission-" + suffix)
                .roleArn("arn:aws:iam::123456789012:role/perfbox-state-machine")
                .definition("{\"StartAt\":\"Wait\",\"States\":{\"Wait\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}"))
                .stateMachineArn();
    }

    private static PerfboxApi api() {
        return new PerfboxApi(service());
    }

    private static JobService service() {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", Moto.region().id(), "PERFBOX_JOBS_TABLE", table,
                "PERFBOX_ARTIFACT_BUCKET", bucket, "PERFBOX_STATE_MACHINE_ARN", stateMachine));
        // The quotas as the stack sets them on the API functions.
        env.put(AwsSettings.MAX_ACTIVE_JOBS, submitEnvironment.path(AwsSettings.MAX_ACTIVE_JOBS).asText());
        env.put(AwsSettings.MAX_SUBMISSIONS_PER_DAY, submitEnvironment.path(AwsSettings.MAX_SUBMISSIONS_PER_DAY).asText());
        return ApiRuntime.jobService(AwsSettings.Api.from(env), dynamoDb, s3, sfn, Clock.systemUTC());
    }

    private static JsonNode submit(ApiHandler function, String tenant) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(ApiEvents.event("POST", "/jobs", "/jobs", Map.of(), Map.of(),
                Map.of("Content-Type", "text/plain; charset=utf-8"), DOCKERFILE, tenant).getBytes(StandardCharsets.UTF_8)),
                out, null);
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    /** The synthesized Admit state's parameters, with $.jobId resolved. */
    private static Map<String, Object> admitInput(JobId id) {
        JsonNode parameters = states.get("Admit").get("Parameters");
        Map<String, Object> input = new HashMap<>();
        parameters.properties().forEach(f -> {
            if (f.getKey().equals("jobId.$")) {
                assertThat(f.getValue().asText()).isEqualTo("$.jobId");
                input.put("jobId", id.value());
            } else {
                input.put(f.getKey(), JSON.convertValue(f.getValue(), Object.class));
            }
        });
        return input;
    }

    private static JobCleanUp cleanUp(DynamoDbAdmission admission) {
        FakeJobResources aws = new FakeJobResources();
        return new JobCleanUp(id -> List.of(), aws, aws, aws.images(), admission);
    }

    @Test
    void withACapOfTwoSixJobsSubmittedAtOnceAllSucceedInSubmissionOrderNeverMoreThanTwoInFlightAndTheTenantPastItsQuotaGets429()
            throws Exception {
        freshResources();
        assertThat(states.at("/Admit/Parameters/cap").asInt()).as("the stack's cap").isEqualTo(2);
        assertThat(states.at("/Admitted/Choices/0/Next").asText()).isEqualTo("AdmissionWait");
        assertThat(states.at("/AdmissionWait/SecondsPath").asText()).isEqualTo("$.admission.waitSeconds");
        PerfboxApi api = api();
        ApiHandler submitFunction = new ApiHandler(api);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            // Six submits at once.
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> submits = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                submits.add(pool.submit(() -> {
                    go.await();
                    return submit(submitFunction, "acme");
                }));
            }
            go.countDown();
            List<JobId> ids = new ArrayList<>();
            for (Future<JsonNode> f : submits) {
                JsonNode answer = f.get(60, TimeUnit.SECONDS);
                assertThat(answer.path("statusCode").asInt()).as("%s", answer).isEqualTo(202);
                ids.add(new JobId(JSON.readTree(answer.path("body").asText()).path("id").asText()));
            }
            // Six under way (queued or in flight) is acme's quota: a seventh is refused, as locally.
            JsonNode refused = submit(submitFunction, "acme");
            assertThat(refused.path("statusCode").asInt()).isEqualTo(429);
            assertThat(refused.at("/headers/Retry-After").asText()).matches("[1-9][0-9]*");
            assertThat(JSON.readTree(refused.path("body").asText()).path("type").asText()).endsWith("quota-exceeded");

            DynamoDbJobStore jobs = new DynamoDbJobStore(dynamoDb, table);
            DynamoDbAdmission admission = new DynamoDbAdmission(dynamoDb, table, jobs, Clock.systemUTC());
            JobLifecycle lifecycle = new JobLifecycle(jobs, new S3JobArtifactStore(s3, bucket), VulnerabilityPolicy.DEFAULT,
                    2L << 30, JobResources.RELEASED_ELSEWHERE, Clock.systemUTC());
            AdmitHandler admit = new AdmitHandler(admission);
            CleanUpHandler cleanUpHandler = new CleanUpHandler(cleanUp(admission));
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxInFlight = new AtomicInteger();
            AtomicInteger maxHeld = new AtomicInteger();
            AtomicInteger maxPastQueued = new AtomicInteger();
            AtomicInteger waits = new AtomicInteger();
            List<JobId> begun = Collections.synchronizedList(new ArrayList<>());
            Map<JobId, Long> admittedAt = new ConcurrentHashMap<>();
            AtomicBoolean done = new AtomicBoolean();
            // What DynamoDB holds, sampled: the slots taken, and the jobs past QUEUED and not ended.
            Future<?> monitor = pool.submit(() -> {
                while (!done.get()) {
                    maxHeld.accumulateAndGet(admission.held(), Math::max);
                    long pastQueued = jobs.findUnfinished().stream().filter(j -> j.status() != JobStatus.QUEUED).count();
                    maxPastQueued.accumulateAndGet((int) pastQueued, Math::max);
                    Thread.sleep(25);
                }
                return null;
            });
            List<JobId> submitted = ids.stream().map(id -> jobs.find(id).orElseThrow())
                    .sorted(Comparator.comparing(Job::createdAt).thenComparing(j -> j.id().value()))
                    .map(Job::id).toList();
            List<Future<?>> executions = new ArrayList<>();
            for (JobId id : submitted) {
                // Each submit starts its execution, whose first state past Attempts is Admit: the first Admit of
                // each job comes in the order the jobs were submitted (the submit function starts the execution
                // before it answers). The queue order is decided by those first calls; the rest run at once.
                Map<String, Object> first = admit.handleRequest(admitInput(id), null);
                executions.add(pool.submit(() -> {
                    // Admit → Admitted → AdmissionWait → Admit ... → Begin, as the synthesized states go.
                    Map<String, Object> answer = first;
                    while (true) {
                        if (Boolean.TRUE.equals(answer.get("admitted"))) {
                            break;
                        }
                        waits.incrementAndGet();
                        Thread.sleep(1000L * ((Number) answer.get("waitSeconds")).intValue());
                        answer = admit.handleRequest(admitInput(id), null);
                    }
                    admittedAt.put(id, System.nanoTime());
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    assertThat(lifecycle.begin(id).proceed()).isTrue();
                    begun.add(id);
                    Thread.sleep(300);
                    assertThat(lifecycle.built(id, new ImageBuilder.Built("img-" + id.value(), LOG)).proceed()).isTrue();
                    assertThat(lifecycle.scanned(id, new JobLifecycle.Scanned(new ScanReport("trivy", "0.58.1", List.of())))
                            .proceed()).isTrue();
                    Thread.sleep(300);
                    lifecycle.ran(id, new ContainerRunner.Exited(0, LOG),
                            () -> new JobWorkspace.Content("{\"perf\":0.5}".getBytes(StandardCharsets.UTF_8)));
                    inFlight.decrementAndGet();
                    cleanUpHandler.handleRequest(Map.of("jobId", id.value()), null);
                    return null;
                }));
            }
            for (Future<?> execution : executions) {
                execution.get(120, TimeUnit.SECONDS);
            }
            done.set(true);
            monitor.get(10, TimeUnit.SECONDS);

            for (JobId id : ids) {
                assertThat(jobs.find(id)).get().extracting(Job::status).as(id.value()).isEqualTo(JobStatus.SUCCEEDED);
            }
            assertThat(maxInFlight.get()).as("jobs between Admit and CleanUp at once").isEqualTo(2);
            assertThat(maxHeld.get()).as("slots held in DynamoDB").isEqualTo(2);
            assertThat(maxPastQueued.get()).as("jobs building, scanning or running at once").isBetween(1, 2);
            assertThat(waits.get()).as("jobs waited QUEUED for a slot").isPositive();
            List<JobId> submissionOrder = submitted;
            // In submission order: a newer job takes a slot only while one is left for every older job waiting, so
            // no older job is admitted more than a round (waitSeconds, and the calls' own time) after a newer one.
            // (Two admitted in the same round may begin in either order.)
            assertThat(begun).containsExactlyInAnyOrderElementsOf(submissionOrder);
            long round = TimeUnit.SECONDS.toNanos(states.at("/Admit/Parameters/waitSeconds").asInt() + 1);
            for (int older = 0; older < submissionOrder.size(); older++) {
                for (int newer = older + 1; newer < submissionOrder.size(); newer++) {
                    assertThat(admittedAt.get(submissionOrder.get(older)))
                            .as("job %d admitted no later than a round after job %d", older, newer)
                            .isLessThan(admittedAt.get(submissionOrder.get(newer)) + round);
                }
            }
            // The first two submitted are the first two in flight.
            assertThat(begun.subList(0, 2)).containsExactlyInAnyOrderElementsOf(submissionOrder.subList(0, 2));
            // Nothing left behind: every slot and place in the queue given back.
            assertThat(admission.held()).isZero();
            assertThat(admission.holders()).isEmpty();
            // acme may submit again now that its jobs ended.
            assertThat(submit(submitFunction, "acme").path("statusCode").asInt()).isEqualTo(202);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSlotIsNotLeakedByACrashedExecutionNorAPlaceInTheQueueByAJobCancelledWhileWaiting() throws Exception {
        freshResources();
        var service = service();
        ApiHandler submitFunction = new ApiHandler(new PerfboxApi(service));
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode answer = submit(submitFunction, "globex");
            ids.add(new JobId(JSON.readTree(answer.path("body").asText()).path("id").asText()));
        }
        DynamoDbJobStore jobs = new DynamoDbJobStore(dynamoDb, table);
        DynamoDbAdmission admission = new DynamoDbAdmission(dynamoDb, table, jobs, Clock.systemUTC());
        JobLifecycle lifecycle = new JobLifecycle(jobs, new S3JobArtifactStore(s3, bucket), VulnerabilityPolicy.DEFAULT,
                2L << 30, JobResources.RELEASED_ELSEWHERE, Clock.systemUTC());
        AdmitHandler admit = new AdmitHandler(admission);
        JobId first = ids.get(0);
        JobId second = ids.get(1);
        JobId third = ids.get(2);
        JobId fourth = ids.get(3);
        assertThat(admit.handleRequest(admitInput(first), null)).containsEntry("admitted", true);
        assertThat(admit.handleRequest(admitInput(second), null)).containsEntry("admitted", true);
        assertThat(admit.handleRequest(admitInput(third), null)).containsEntry("admitted", false);
        assertThat(admit.handleRequest(admitInput(fourth), null)).containsEntry("admitted", false);
        // Asked again, a job that holds a slot takes no second one.
        assertThat(admit.handleRequest(admitInput(first), null)).containsEntry("admitted", true);
        assertThat(admission.held()).isEqualTo(2);
        assertThat(admission.holders()).containsExactlyInAnyOrder(first, second, third, fourth);

        // The first's execution fails without reaching CleanUp (its Lambda crashed past every Catch): the
        // execution-ended rule's function ends the job and gives the slot back.
        assertThat(lifecycle.begin(first).proceed()).isTrue();
        new ExecutionEndedHandler(lifecycle, cleanUp(admission)).handleRequest(Map.of("jobId", first.value(),
                "status", "FAILED"), null);
        assertThat(jobs.find(first)).get().extracting(Job::status).isEqualTo(JobStatus.FAILED);
        assertThat(admission.held()).isEqualTo(1);

        // The third was cancelled while it waited, and its release was lost: found ahead of the fourth, which it
        // no longer holds up.
        service.cancel("globex", third);
        assertThat(admit.handleRequest(admitInput(fourth), null)).containsEntry("admitted", true);
        assertThat(admission.holders()).containsExactlyInAnyOrder(second, fourth);
        assertThat(admission.held()).isEqualTo(2);

        // Cancelled while admitted but before Begin: the execution's ReleaseAdmission state (the Admit function with
        // the synthesized state's parameters) gives it back; so does a repeat.
        service.cancel("globex", second);
        assertThat(lifecycle.begin(second).proceed()).isFalse();
        Map<String, Object> release = new HashMap<>(Map.of("jobId", second.value()));
        release.put("release", states.at("/ReleaseAdmission/Parameters/release").asBoolean());
        admit.handleRequest(release, null);
        admit.handleRequest(release, null);
        assertThat(admission.held()).isEqualTo(1);
        assertThat(admission.holders()).containsExactly(fourth);
    }
}
