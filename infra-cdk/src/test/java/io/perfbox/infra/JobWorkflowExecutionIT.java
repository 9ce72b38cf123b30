package io.perfbox.infra;

import static io.perfbox.infra.MockedJobWorkflow.returns;
import static io.perfbox.infra.MockedJobWorkflow.throwsError;
import static io.perfbox.testing.aws.StepInputs.TASK_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.adapter.aws.codebuild.CodeBuildJobBuilds;
import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.adapter.aws.s3.BuildArtifacts.Artifact;
import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.adapter.fs.LinkSafeFiles;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Runs;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.runtime.aws.workflow.AdmitHandler;
import io.perfbox.runtime.aws.workflow.AfterBuildHandler;
import io.perfbox.runtime.aws.workflow.BeginHandler;
import io.perfbox.runtime.aws.workflow.CleanUpHandler;
import io.perfbox.runtime.aws.workflow.ExecutionEndedHandler;
import io.perfbox.runtime.aws.workflow.JobCleanUp;
import io.perfbox.runtime.aws.workflow.PrepareRunHandler;
import io.perfbox.runtime.aws.workflow.RecordFailureHandler;
import io.perfbox.runtime.aws.workflow.RecordRunHandler;
import io.perfbox.runtime.aws.workflow.RunRecorder;
import io.perfbox.runtime.aws.workflow.WorkflowConfig;
import io.perfbox.runtime.aws.workflow.WorkflowStep;
import io.perfbox.testing.aws.MockedStepFunctions;
import io.perfbox.testing.aws.Moto;
import io.perfbox.testing.aws.RecordedPayloads;
import io.perfbox.testing.aws.StepInputs;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.InMemoryJobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The state machine {@code cdk synth} writes, executed in LocalStack 4.14's Step Functions engine, one test per path
 * a job can take. Every Task state is mocked (SFN_MOCK_CONFIG): the Lambda states answer what the real handlers
 * answer on the engine's input ({@link MockedJobWorkflow}), over in-memory stores and AWS resources; CodeBuild and
 * ECS answer in the shapes AWS documents (the CodeBuild build of BatchGetBuilds/StartBuild, the ECS task of
 * DescribeTasks with StopCode, StoppedReason and Containers[].ExitCode), as their .sync integrations end. The one
 * change to the definition: BuildAndScan's {@code codebuild:startBuild.sync} becomes
 * {@code aws-sdk:codebuild:startBuild}, which LocalStack's engine runs mocked while it refuses the former
 * ({@link ResolvedDefinition}).
 */
class JobWorkflowExecutionIT {
    private static final String RUN_LOG = "epoch 1\nepoch 2\n";
    /**
     * A .sync integration fails a state with States.TaskFailed, but LocalStack's engine refuses a mocked error whose
     * name begins with "States." (its CustomErrorName raises, and the state fails with the engine's own error
     * instead). The mocks throw this name in its place, with the Cause AWS gives. The workflow routes both the
     * same way (the Catch is States.ALL), and the handlers decide by the Cause, never by this name.
     */
    static final String TASK_FAILED = "Mock.States.TaskFailed";
    private static MockedStepFunctions engine;
    private static MockedJobWorkflow workflow;

    private final InMemoryJobStore jobs = new InMemoryJobStore();
    private final InMemoryJobArtifactStore artifacts = new InMemoryJobArtifactStore();
    private final FakeJobResources aws = new FakeJobResources();
    private final WorkflowConfig config = WorkflowConfig.fromEnvironment(StepInputs.ENV);
    private final JobLifecycle lifecycle = new JobLifecycle(jobs, artifacts, config.policy(),
            config.runMemoryLimitBytes(), JobResources.RELEASED_ELSEWHERE, Clock.systemUTC());
    private final JobId id = JobId.random();
    /** The job as submitted: one run, unless a test asks for more ({@link #asking}). */
    private Job queued = Job.queued(id, "alice", "bench", null, Instant.now());
    /** The Admit state's slots, in a jobs table of each test's own on moto (the jobs themselves are in memory here). */
    private final DynamoDbAdmission admission = newAdmission(jobs);
    /** Each job's /data as its task's collector finds it once the job's container exited (FakeJobResources). */
    @TempDir
    Path workspaces;
    private RunRecorder runs;

    /**
     * The stack as synthesized with one setting of its own: a platform failure's retry waits 1 s (then 2 s) instead
     * of 30 s, since every pass replays the execution, waits included.
     */
    @BeforeAll
    static void startEngine() {
        engine = MockedStepFunctions.start();
        App app = SynthesizedStack.newApp(Path.of("target/cdk-platform-retry.out"),
                Map.of("perfbox:platformRetrySeconds", 1,
                        // and a job that found no slot asks again after 1 s (AdmissionWait, replayed on every pass)
                        "perfbox:admissionWaitSeconds", 1));
        var template = TemplateQueries.JSON.valueToTree(Template.fromStack(
                PerfboxStack.createStack(app, SynthesizedStack.STACK_NAME)).toJSON());
        workflow = new MockedJobWorkflow(engine, ResolvedDefinition.of(template,
                engine.region().id(), engine.account()));
    }

    private MockedJobWorkflow.Job job() throws IOException {
        jobs.create(queued, Optional.empty());
        Files.createDirectories(workspaces.resolve(id.value()));
        aws.putRunLog(TASK_ARN, RUN_LOG);
        aws.dataOf(workspaces.resolve(id.value()));
        runs = new RunRecorder(lifecycle, aws, aws, config.runTimeout(), config.runStartTimeout(),
                Duration.ofSeconds(1), config.taskLimits(), artifacts);
        // The job's builds through the real adapter: the build ids from the engine's history of the current pass's
        // execution, CodeBuild answered by the fake.
        JobCleanUp cleanUp = new JobCleanUp(new CodeBuildJobBuilds(aws.codeBuild(),
                StepInputs.BUILD_PROJECT, new ExecutionHistory(engine.sfn(),
                        job -> aws.executionHistoryOf(workflow.currentExecution()))),
                aws, aws, aws.images(), admission);
        return new MockedJobWorkflow.Job(id)
                .handler(WorkflowFunctions.State.ADMIT, new AdmitHandler(admission))
                .handler(WorkflowFunctions.State.BEGIN, new BeginHandler(lifecycle))
                .handler(WorkflowFunctions.State.AFTER_BUILD, new AfterBuildHandler(lifecycle, aws, config))
                .handler(WorkflowFunctions.State.PREPARE_RUN,
                        new PrepareRunHandler(aws, config.ecrRepository()))
                .handler(WorkflowFunctions.State.RECORD_RUN, new RecordRunHandler(runs))
                .handler(WorkflowFunctions.State.RECORD_FAILURE, new RecordFailureHandler(runs))
                .handler(WorkflowFunctions.State.CLEAN_UP, new CleanUpHandler(cleanUp))
                .handler(WorkflowFunctions.State.EXECUTION_ENDED,
                        new ExecutionEndedHandler(lifecycle, cleanUp));
    }

    // ---- what the build left (the buildspec's build-outcome.json, log and Trivy report) ----

    private void buildLeft(String outcome, String reason, boolean pushed, String report) {
        aws.putArtifact(id, Artifact.LOG, "#1 [internal] load build definition from Dockerfile\n#5 DONE 0.4s\n");
        aws.putArtifact(id, Artifact.OUTCOME, """
                {"outcome":"%s","reason":"%s","pushed":%s,"trivyVersion":"0.58.1"%s}
                """.formatted(outcome, reason, pushed,
                outcome.equals("BUILT") ? ",\"imageUri\":\"" + StepInputs.imageUri(id) + "\"" : ""));
        if (report != null) {
            aws.putArtifact(id, Artifact.SCAN_REPORT, report);
        }
    }

    private static String report(String severity) {
        return """
                {"SchemaVersion": 2, "CreatedAt": "2026-03-01T12:03:00Z", "ArtifactName": "job-image",
                 "ArtifactType": "container_image",
                 "Results": [{"Target": "job-image (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
                   "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-6387", "PkgName": "openssh-server",
                     "InstalledVersion": "1:9.2p1-2", "FixedVersion": "1:9.2p1-2+deb12u3", "Status": "fixed",
                     "Severity": "%s"}]}]}
                """.formatted(severity);
    }

    /**
     * The CodeBuild build as the integration returns it once the build ended: the documented BatchGetBuilds example
     * (RecordedPayloads.CODEBUILD_BUILD_SUCCEEDED) with this stack's ids, under "Build" in PascalCase
     * (StepInputs.codeBuild, which says what of that is not evidenced); failedPhase (null: none) ended status.
     */
    private ObjectNode build(String status, String failedPhase) {
        try {
            return (ObjectNode) MockedJobWorkflow.JSON.readTree(failedPhase == null ? StepInputs.codeBuildSucceeded()
                    : StepInputs.codeBuild(status, failedPhase, status, "", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode buildSucceeded() {
        return returns(build("SUCCEEDED", null));
    }

    private Job stored() {
        return jobs.find(id).orElseThrow();
    }

    private void assertCleanedUp(MockedJobWorkflow.Run run) {
        assertThat(run.statesEntered()).contains("CleanUp");
        assertThat(aws.calls()).contains("stopTasks " + id, "removeTaskDefinitions " + id, "deleteImage " + id);
        // Nothing per job in IAM or on a file system to remove.
        assertThat(aws.calls()).noneMatch(call -> call.contains("Role") || call.contains("AccessPoint"));
    }

    private void assertFailed(FailureCode code) {
        assertThat(stored().status()).isEqualTo(JobStatus.FAILED);
        assertThat(stored().failure().code()).isEqualTo(code);
    }

    private static DynamoDbAdmission newAdmission(InMemoryJobStore jobs) {
        String table = "perfbox-admission-" + UUID.randomUUID().toString().substring(0, 8);
        var dynamoDb = Moto.dynamoDb();
        JobTable.createIfMissing(dynamoDb, table);
        return new DynamoDbAdmission(dynamoDb, table, jobs, Clock.systemUTC());
    }

    // ---- the paths ----

    @Test
    void aJobThatFindsEverySlotTakenWaitsQueuedAndBeginsOnceOneIsGivenBack() throws Exception {
        // The stack's default cap (this synth sets no quota key).
        int cap = StackConfig.fromContext(new App().getNode()).jobsInFlight();
        List<JobId> others = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            Job other = Job.queued(JobId.random(), "bob", "earlier", null, Instant.now().minusSeconds(60));
            jobs.create(other, Optional.empty());
            assertThat(admission.admit(other.id(), cap)).isEqualTo(DynamoDbAdmission.Decision.ADMITTED);
            others.add(other.id());
        }
        AtomicInteger asked = new AtomicInteger();
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded())
                .service("RunTask", ranTask(StepInputs.succeededTask(id)))
                // One of the earlier jobs ends (its CleanUp gives its slot back) once this one was told to wait.
                .handler(WorkflowFunctions.State.ADMIT, new AdmitHandler(admission) {
                    @Override
                    protected Map<String, Object> step(JobId job, Input in) {
                        Map<String, Object> answer = super.step(job, in);
                        if (asked.incrementAndGet() == 1) {
                            assertThat(answer).containsEntry("admitted", false);
                            admission.release(others.get(0));
                        }
                        return answer;
                    }
                });
        buildLeft("BUILT", "no findings at or above HIGH", true, report("LOW"));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.91}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsSubsequence("Attempts", "Admit", "Admitted", "AdmissionWait", "Admit",
                "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask",
                "RecordRun", "MoreRuns", "CleanUp", "Finished", "Done");
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        // Its own slot was given back by CleanUp; the other earlier jobs still hold theirs.
        assertThat(admission.held()).isEqualTo(cap - 1);
        assertThat(admission.holders()).containsExactlyInAnyOrderElementsOf(others.subList(1, cap));
        assertThat(asked.get()).isEqualTo(2);
    }

    @Test
    void successRunsEveryStepAndRecordsThePerformance() throws Exception {
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded())
                .service("RunTask", ranTask(StepInputs.succeededTask(id)));
        buildLeft("BUILT", "no findings at or above HIGH", true, report("LOW"));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.91}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RecordRun", "MoreRuns", "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().performance()).isEqualTo(0.91);
    }

    @Test
    void buildThatFailedEndsBuildFailedWithoutRunning() throws Exception {
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded());
        buildLeft("BUILD_FAILED", "docker build exited with 1", false, null);

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.BUILD_FAILED);
    }

    @Test
    void vulnerableImageEndsVulnerableWithoutRunning() throws Exception {
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded());
        buildLeft("BUILT", "findings at or above HIGH", false, report("CRITICAL"));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.VULNERABLE);
    }

    @Test
    void imageTooLargeEndsImageTooLargeWithoutScanOrRun() throws Exception {
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded());
        buildLeft("IMAGE_TOO_LARGE", "the image is 12288 MiB, over the limit of 10240 MiB", false, null);

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.IMAGE_TOO_LARGE);
    }

    @Test
    void buildThatCodeBuildTimedOutEndsBuildTimeoutThroughTheFailStep() throws Exception {
        // As the .sync integration fails a build that ended TIMED_OUT: States.TaskFailed, the build as the Cause.
        MockedJobWorkflow.Job job = job().service("BuildAndScan",
                throwsError(TASK_FAILED, build("TIMED_OUT", "BUILD").toString()));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "build failed",
                "RecordFailedBuild", "RetryBuild", "CleanUp", "Finished", "StepFailed");
        assertCleanedUp(run);
        assertFailed(FailureCode.BUILD_TIMEOUT);
    }

    // ---- the run ----

    private MockedJobWorkflow.Job built() throws IOException {
        MockedJobWorkflow.Job job = job().service("BuildAndScan", buildSucceeded());
        buildLeft("BUILT", "no findings at or above HIGH", true, report("LOW"));
        return job;
    }

    /**
     * What runTask.sync answers for this stopped task, by its rule ({@link StepInputs#runTaskSync}: success only when
     * every container exited 0, else States.TaskFailed with the task as Cause), so no fixture can contradict it.
     */
    private static ObjectNode ranTask(String task) throws IOException {
        var failed = StepInputs.runTaskSync(task);
        return failed.isPresent() ? taskFailed(failed.get()) : returns(StepInputs.JSON.readTree(task));
    }

    private static ObjectNode taskFailed(String errorJson) throws IOException {
        var error = StepInputs.JSON.readTree(errorJson);
        assertThat(error.get("Error").asText()).isEqualTo("States.TaskFailed");
        return throwsError(TASK_FAILED, error.get("Cause").asText());
    }

    private static final List<String> RUN_RECORDED = List.of("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
            "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RecordRun", "MoreRuns", "CleanUp", "Finished", "Done");

    @Test
    void runThatExitedNonZeroEndsRunFailedWithoutReadingTheResult() throws Exception {
        MockedJobWorkflow.Job job = built().service("RunTask", taskFailed(StepInputs.exitedError(id, 3)));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun", "CleanUp",
                "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.RUN_FAILED);
        assertThat(stored().failure().message()).contains("3");
    }

    /** The run clock slept the run timeout (900 s here) from the job container's start, and stopped the task. */
    private static final long RAN_MILLIS = 900_412;

    @Test
    void runThatTheRunClockStoppedEndsRunTimeoutWithItsLogWithoutReadingTheResult() throws Exception {
        // ECS stopped the job's container (SIGTERM: 143), so runTask.sync fails the state with the task as Cause.
        MockedJobWorkflow.Job job = built()
                .service("RunTask", taskFailed(StepInputs.runClockExpiredError(id, RAN_MILLIS)));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.91}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        // A run the clock stopped is the customer's: recorded at once, never retried.
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan",
                "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun",
                "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.RUN_TIMEOUT);
        assertThat(stored().failure().message()).contains("still running after 15 minutes");
        assertThat(artifacts.log(id, JobArtifactStore.LogKind.RUN))
                .map(JobArtifactStore.CapturedLog::text).contains(RUN_LOG);
        assertThat(stored().performance()).isNull();
    }

    @Test
    void jobThatExitedZeroWhenTheRunClockStoppedItEndsRunTimeoutAndItsResultIsNotTaken() throws Exception {
        // A job that handles SIGTERM and exits 0: the clock's own exit (124) is non-zero, so runTask.sync fails.
        MockedJobWorkflow.Job job = built()
                .service("RunTask", ranTask(StepInputs.runClockExpiredTask(id, 0, RAN_MILLIS)));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.91}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan",
                "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun",
                "CleanUp", "Finished", "Done");
        assertCleanedUp(run);
        assertFailed(FailureCode.RUN_TIMEOUT);
        assertThat(stored().performance()).isNull();
    }

    @Test
    void jobThatExitedZeroWithTheRunClockAsEcsLeavesItWhenStoppingTheTaskSucceeds() throws Exception {
        // The regression of issue 18: once the job's container exited 0, the collector ran and exited 0, which stopped
        // the task; ECS stopped the clock, which exits 0 on that SIGTERM (TaskHelpersImageIT); every container exited
        // 0, and runTask.sync succeeds. (A helper exiting 143 there would fail the state: see
        // StepInputs.runTaskSync's evidence.) The task is the runTask.sync output recorded from a real account
        // (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT: umccr/elsa-data-aws-copy-out,
        // workload-copy-out/construct/fargate-run-task-construct.ts) with this job's ids and containers.
        String task = StepInputs.jobTask(id, 0, null);
        assertThat(StepInputs.runTaskSync(task)).isEmpty();
        MockedJobWorkflow.Job job = built().service("RunTask", ranTask(task));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.91}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactlyElementsOf(RUN_RECORDED);
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().performance()).isNotNull();
    }

    // RunTask's own timer (its Catch of States.Timeout: the task did not start in time) is not executed here: it
    // needs the engine's timer to fire (a mocked error cannot be named States.Timeout, see TASK_FAILED), and a mocked
    // task answers at once, as the mock configuration has no delay. RecordFailedRun's handling of that Catch's
    // output (INTERNAL, the tasks stopped) is shown by RecordRunHandlerTest in runtimes/aws.

    @Test
    void runKilledForMemoryEndsOutOfMemory() throws Exception {
        MockedJobWorkflow.Job job = built().service("RunTask", taskFailed(StepInputs.outOfMemoryError(id)));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsSubsequence("RunTask", "RunFailed", "RecordFailedRun", "CleanUp");
        assertCleanedUp(run);
        assertFailed(FailureCode.OUT_OF_MEMORY);
    }

    @Test
    void runThatLeftNoPerfJsonEndsNoResult() throws Exception {
        MockedJobWorkflow.Job job = built()
                .service("RunTask", ranTask(StepInputs.succeededTask(id)));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsExactlyElementsOf(RUN_RECORDED);
        assertCleanedUp(run);
        assertFailed(FailureCode.NO_RESULT);
    }

    @Test
    void runThatLeftAMalformedPerfJsonEndsInvalidResult() throws Exception {
        MockedJobWorkflow.Job job = built()
                .service("RunTask", ranTask(StepInputs.succeededTask(id)));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":\"fast\"}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsExactlyElementsOf(RUN_RECORDED);
        assertCleanedUp(run);
        assertFailed(FailureCode.INVALID_RESULT);
    }

    // ---- repeated runs ----

    /** The job asks for {@code runs} runs (before {@link #job}). */
    private void asking(int runs) {
        queued = Job.queued(id, "alice", "bench", null, runs, Instant.now());
    }

    /** Run {@code run}'s task id: ECS gives each task of the job's task definition its own. */
    private static String taskId(int run) {
        return String.format("%031x%x", 0xa5L, run);
    }

    private static String taskArn(int run) {
        return TASK_ARN.replace(StepInputs.TASK_ID, taskId(run));
    }

    /**
     * Run {@code run}'s task: the runTask.sync output of StepInputs.succeededTask (RecordedPayloads.ECS_RUN_TASK_SYNC_OUTPUT,
     * recorded from a real account, with this job's ids) under a task id of its own, whose /data (a directory of
     * its own, as each Fargate task has its own volume) holds {@code perfJson} when its collector reads it.
     */
    private ObjectNode runTask(int run, String perfJson) throws IOException {
        Path data = Files.createDirectories(workspaces.resolve(id.value() + "-run-" + run));
        Files.writeString(data.resolve("perf.json"), perfJson);
        aws.dataOf(taskArn(run), data);
        aws.putRunLog(taskArn(run), "run " + run + " output\n");
        return ranTask(StepInputs.succeededTask(id).replace(StepInputs.TASK_ID, taskId(run)));
    }

    /** The input the engine gave each invocation of the Lambda state {@code state}, in order. */
    private static List<JsonNode> inputsOf(MockedJobWorkflow.Run run, String state)
            throws IOException {
        List<JsonNode> inputs = new ArrayList<>();
        String current = null;
        for (var event : run.history()) {
            if (event.stateEnteredEventDetails() != null) {
                current = event.stateEnteredEventDetails().name();
            }
            if (state.equals(current) && event.lambdaFunctionScheduledEventDetails() != null) {
                inputs.add(StepInputs.JSON.readTree(event.lambdaFunctionScheduledEventDetails().input()));
            }
        }
        return inputs;
    }

    /** What the state {@code state} handed on, each time it was left. */
    private static List<JsonNode> outputsOf(MockedJobWorkflow.Run run, String state)
            throws IOException {
        List<JsonNode> outputs = new ArrayList<>();
        for (var event : run.history()) {
            if (event.stateExitedEventDetails() != null && event.stateExitedEventDetails().name().equals(state)) {
                outputs.add(StepInputs.JSON.readTree(event.stateExitedEventDetails().output()));
            }
        }
        return outputs;
    }

    private static final List<String> UP_TO_THE_FIRST_RUN = List.of("Attempts", "Admit", "Admitted", "Begin",
            "ShouldBuild", "BuildAndScan", "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RecordRun",
            "MoreRuns");
    private static final List<String> ANOTHER_RUN = List.of("NextRun", "RunTask", "RecordRun", "MoreRuns");

    @Test
    void aJobOfThreeRunsRunsThreeTasksOfTheOneImageAndEndsWithTheirMedian() throws Exception {
        asking(3);
        MockedJobWorkflow.Job job = built().service("RunTask", runTask(1, "{\"perf\":0.9,\"metrics\":{\"loss\":3}}"),
                runTask(2, "{\"perf\":0.5,\"metrics\":{\"loss\":1}}"),
                runTask(3, "{\"perf\":0.7,\"metrics\":{\"loss\":2}}"));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> expected = new ArrayList<>(UP_TO_THE_FIRST_RUN);
        expected.addAll(ANOTHER_RUN);
        expected.addAll(ANOTHER_RUN);
        expected.addAll(List.of("CleanUp", "Finished", "Done"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        // Built and scanned once, one task definition, three tasks of it.
        assertThat(run.statesEntered()).containsOnlyOnce("BuildAndScan", "AfterBuild", "PrepareRun");
        assertThat(ecsTasksScheduled(run)).isEqualTo(3);
        assertThat(aws.calls()).filteredOn(c -> c.startsWith("registerTaskDefinition")).hasSize(1);
        // Each RecordRun told its run's number, and each read its own task's collector.
        assertThat(inputsOf(run, "RecordRun")).extracting(in -> in.get("run").asInt()).containsExactly(1, 2, 3);
        assertThat(inputsOf(run, "RecordRun")).extracting(in -> in.at("/task/TaskArn").asText())
                .containsExactly(taskArn(1), taskArn(2), taskArn(3));
        for (int k = 1; k <= 3; k++) {
            assertThat(aws.calls()).contains("readCollectorLog " + taskArn(k));
        }
        assertCleanedUp(run);
        Job done = stored();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.runs().values()).containsExactly(0.9, 0.5, 0.7);
        assertThat(done.performance()).isEqualTo(0.7);
        assertThat(done.metrics()).containsEntry("loss", 2.0);
        assertThat(done.runs().min()).contains(0.5);
        assertThat(done.runs().max()).contains(0.9);
        assertThat(done.runs().spread().orElseThrow())
                .isCloseTo((0.9 - 0.5) / 0.7, Offset.offset(1e-12));
        // One run log, each run's output (from its own task's stream) after a line naming it.
        assertThat(artifacts.log(id, JobArtifactStore.LogKind.RUN))
                .map(JobArtifactStore.CapturedLog::text)
                .contains("[perfbox] run 1 of 3\nrun 1 output\n[perfbox] run 2 of 3\nrun 2 output\n"
                        + "[perfbox] run 3 of 3\nrun 3 output\n");
        // Each run's time is its task's, RUNNING to STOPPING.
        assertThat(done.runs().completed()).extracting(Runs.Run::duration)
                .containsOnly(Duration.ofMillis(1772366470118L - StepInputs.STARTED_AT));
    }

    @Test
    void aSecondRunThatExitedNonZeroEndsTheJobNamingItAndStartsNoThird() throws Exception {
        asking(3);
        MockedJobWorkflow.Job job = built().service("RunTask", runTask(1, "{\"perf\":0.9}"),
                taskFailed(StepInputs.exitedError(id, 3)));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> expected = new ArrayList<>(UP_TO_THE_FIRST_RUN);
        expected.addAll(List.of("NextRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun", "CleanUp",
                "Finished", "Done"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertThat(ecsTasksScheduled(run)).isEqualTo(2);
        assertThat(inputsOf(run, "RecordFailedRun")).extracting(in -> in.get("run").asInt()).containsExactly(2);
        assertCleanedUp(run);
        assertFailed(FailureCode.RUN_FAILED);
        assertThat(stored().failure().message()).startsWith("run 2 of 3: ").contains("3");
        assertThat(stored().runs().values()).containsExactly(0.9);
    }

    @Test
    void aRunThePlatformFailedIsTriedAgainAsTheSameRunAndTheNextRunStartsAtItsFirstAttempt() throws Exception {
        asking(3);
        MockedJobWorkflow.Job job = built().service("RunTask", runTask(1, "{\"perf\":1}"), platformCouldNotStartTask(),
                runTask(2, "{\"perf\":2}"), runTask(3, "{\"perf\":4}"));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> expected = new ArrayList<>(UP_TO_THE_FIRST_RUN);
        expected.addAll(List.of("NextRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun", "RunBackoff",
                "NextRunAttempt", "RunTask", "RecordRun", "MoreRuns"));
        expected.addAll(ANOTHER_RUN);
        expected.addAll(List.of("CleanUp", "Finished", "Done"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertThat(ecsTasksScheduled(run)).isEqualTo(4);
        assertThat(inputsOf(run, "RecordFailedRun")).extracting(in -> in.get("run").asInt()).containsExactly(2);
        assertThat(inputsOf(run, "RecordRun")).extracting(in -> in.get("run").asInt()).containsExactly(1, 2, 3);
        // Run 2 needed a second attempt; run 3 starts at its first, from a state without run 2's task or error.
        var third = outputsOf(run, "NextRun").get(1);
        assertThat(third.at("/attempts/run").asInt()).isEqualTo(1);
        assertThat(third.at("/run/number").asInt()).isEqualTo(3);
        assertThat(third.has("task") || third.has("error") || third.has("failedRun")).isFalse();
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().runs().values()).containsExactly(1.0, 2.0, 4.0);
        assertThat(stored().performance()).isEqualTo(2.0);
    }

    @Test
    void cancelDuringTheSecondRunAbortsTheExecutionThereAndStartsNoThirdRun() throws Exception {
        asking(3);
        MockedJobWorkflow.Job job = built().service("RunTask", runTask(1, "{\"perf\":0.9}"), noCapacity(),
                        noCapacity(), noCapacity(), noCapacity(), noCapacity(), noCapacity())
                .meanwhile(waiting("RunTask"), cancel());

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.ABORTED);
        List<String> expected = new ArrayList<>(UP_TO_THE_FIRST_RUN);
        expected.addAll(List.of("NextRun", "RunTask"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
        executionEnded(job, run);
        // The execution-ended clean-up stops the job's task under way; no RecordRun came after the first run's.
        assertThat(aws.calls()).contains("stopTasks " + id, "removeTaskDefinitions " + id, "deleteImage " + id);
        assertThat(inputsOf(run, "RecordRun")).hasSize(1);
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
    }

    // ---- the platform ----

    /**
     * RunTask answered with a non-empty Failures: runTask.sync fails the state AmazonECS.Unknown (Step Functions' ECS
     * documentation; RecordedPayloads.ECS_UNKNOWN, which says the Cause's text is not documented).
     */
    private static ObjectNode noCapacity() throws IOException {
        var error = StepInputs.JSON.readTree(StepInputs.runTaskFailuresError("Capacity is unavailable at this time. "
                + "Please try again later or in a different availability zone"));
        return throwsError(error.get("Error").asText(), error.get("Cause").asText());
    }

    @Test
    void capacityErrorOfRunTaskIsRetriedAndTheJobSucceeds() throws Exception {
        MockedJobWorkflow.Job job = built().service("RunTask", noCapacity(),
                ranTask(StepInputs.succeededTask(id)));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.5}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactlyElementsOf(RUN_RECORDED);
        assertThat(run.history().stream().filter(e -> e.taskScheduledEventDetails() != null
                && e.taskScheduledEventDetails().resourceType().equals("ecs")).count()).isEqualTo(2);
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().performance()).isEqualTo(0.5);
    }

    // ---- the platform's failures: retried, then PLATFORM_FAILURE ----

    /** runTask.sync's answer for a task the platform could not start (its ENI, volume or image pull). */
    private ObjectNode platformCouldNotStartTask() throws IOException {
        // No container of the task ran (no ExitCode on any), StopCode TaskFailedToStart. The reason's wording follows
        // the ResourceInitializationError that ECS's troubleshooting ("unable to pull secrets or registry auth") shows
        // for a task whose ENI cannot reach ECR; it is not verified against a recorded task.
        return ranTask(StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, null, null),
                        Map.of(StepInputs.DATA_INIT_CONTAINER, Optional.empty(),
                                StepInputs.RUN_CLOCK_CONTAINER, Optional.empty(),
                                StepInputs.COLLECTOR_CONTAINER, Optional.empty())),
                "TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                        + "resource retrieval failed: unable to retrieve ecr registry auth: service call has been "
                        + "retried 3 time(s): RequestError: send request failed"));
    }

    /**
     * RecordRun's real handler; once it recorded a failed attempt to be retried, the next task starts with a /data
     * of its own, empty (as Fargate makes a task's volume), to which the retried task's container writes perfJson
     * (a mocked task writes nothing itself).
     */
    private WorkflowStep retriedTaskWrites(String perfJson) {
        RecordRunHandler real = new RecordRunHandler(runs);
        return new WorkflowStep() {
            @Override
            @SuppressWarnings("unchecked")
            protected Map<String, Object> step(JobId job, Input in) {
                var out = real.handleRequest(StepInputs.JSON.convertValue(in.json(), Map.class), null);
                if (Boolean.TRUE.equals(out.get("retry"))) {
                    try {
                        Path data = workspaces.resolve(job.value());
                        LinkSafeFiles.deleteTree(data);
                        Files.createDirectories(data);
                        if (perfJson != null) {
                            Files.writeString(data.resolve("perf.json"), perfJson);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return out;
            }
        };
    }

    private static long ecsTasksScheduled(MockedJobWorkflow.Run run) {
        return run.history().stream().filter(e -> e.taskScheduledEventDetails() != null
                && e.taskScheduledEventDetails().resourceType().equals("ecs")).count();
    }

    private static final List<String> RUN_RETRIED = List.of("RunTask", "RunFailed", "RecordFailedRun", "RetryRun",
            "RunBackoff", "NextRunAttempt", "RunTask");

    @Test
    void taskThePlatformFailedToStartIsRetriedOnANewTaskAndTheJobSucceeds() throws Exception {
        MockedJobWorkflow.Job job = built().service("RunTask", platformCouldNotStartTask(),
                ranTask(StepInputs.succeededTask(id)))
                .handler(WorkflowFunctions.State.RECORD_RUN, retriedTaskWrites("{\"perf\":0.7}"));

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan",
                "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RunFailed", "RecordFailedRun", "RetryRun",
                "RunBackoff", "NextRunAttempt", "RunTask", "RecordRun", "MoreRuns", "CleanUp",
                "Finished", "Done");
        assertThat(ecsTasksScheduled(run)).isEqualTo(2);
        // The failed attempt's tasks were stopped before the new one was started.
        assertThat(aws.calls()).containsSubsequence("registerTaskDefinition " + id, "stopTasks " + id,
                "removeTaskDefinitions " + id);
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().performance()).isEqualTo(0.7);
    }

    @Test
    void hostLostMidRunIsRetriedAndTheFirstAttemptsResultIsNeverRead() throws Exception {
        // The first task ran far enough to write a result before Spot took its host; the retried one writes none.
        MockedJobWorkflow.Job job = built().service("RunTask",
                // Every container that ran stopped by ECS (143), the collector never started, with the Fargate Spot
                // termination notice the ECS Developer Guide shows (RecordedPayloads.STOP_TERMINATION_NOTICE,
                // REASON_SPOT_INTERRUPTED).
                ranTask(StepInputs.task(id, StepInputs.allContainers(StepInputs.container(id, 143, null),
                                Map.of(StepInputs.RUN_CLOCK_CONTAINER, Optional.of(143),
                                        StepInputs.COLLECTOR_CONTAINER, Optional.empty())),
                        RecordedPayloads.STOP_TERMINATION_NOTICE,
                        RecordedPayloads.REASON_SPOT_INTERRUPTED)),
                ranTask(StepInputs.succeededTask(id)))
                .handler(WorkflowFunctions.State.RECORD_RUN, retriedTaskWrites(null));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.1}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.statesEntered()).containsSubsequence(RUN_RETRIED).containsSubsequence("RecordRun", "MoreRuns", "CleanUp");
        assertCleanedUp(run);
        assertFailed(FailureCode.NO_RESULT);
    }

    @Test
    void taskThePlatformFailsOnEveryAttemptEndsPlatformFailureAfterThreeTasks() throws Exception {
        MockedJobWorkflow.Job job = built().service("RunTask", platformCouldNotStartTask(),
                platformCouldNotStartTask(), platformCouldNotStartTask());

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> once = List.of("RunTask", "RunFailed", "RecordFailedRun", "RetryRun", "RunBackoff", "NextRunAttempt");
        List<String> expected = new ArrayList<>(List.of("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan",
                "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun"));
        expected.addAll(once);
        expected.addAll(once);
        expected.addAll(List.of("RunTask", "RunFailed", "RecordFailedRun", "RetryRun", "CleanUp", "Finished", "Done"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertThat(ecsTasksScheduled(run)).isEqualTo(3);
        assertCleanedUp(run);
        assertFailed(FailureCode.PLATFORM_FAILURE);
        assertThat(stored().failure().message()).contains("3 attempts", "ResourceInitializationError");
    }

    @Test
    void buildThePlatformFailedBeforeTheBuildspecRanIsRetriedAndTheJobSucceeds() throws Exception {
        MockedJobWorkflow.Job job = job().service("BuildAndScan",
                        throwsError(TASK_FAILED, build("FAILED", "PROVISIONING").toString()), buildSucceeded())
                .service("RunTask", ranTask(StepInputs.succeededTask(id)));
        buildLeft("BUILT", "no findings at or above HIGH", true, report("LOW"));
        Files.writeString(workspaces.resolve(id.value()).resolve("perf.json"), "{\"perf\":0.8}");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan",
                "build failed", "RecordFailedBuild", "RetryBuild", "BuildBackoff", "NextBuildAttempt", "BuildAndScan",
                "AfterBuild", "ShouldRun", "PrepareRun", "FirstRun", "RunTask", "RecordRun", "MoreRuns", "CleanUp",
                "Finished", "Done");
        assertCleanedUp(run);
        assertThat(stored().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(stored().performance()).isEqualTo(0.8);
    }

    @Test
    void buildThatFaultsOnEveryAttemptEndsPlatformFailureAfterThreeBuilds() throws Exception {
        ObjectNode fault = throwsError(TASK_FAILED, build("FAULT", "BUILD").toString());
        MockedJobWorkflow.Job job = job().service("BuildAndScan", fault, fault, fault);

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        List<String> once = List.of("BuildAndScan", "build failed", "RecordFailedBuild", "RetryBuild", "BuildBackoff",
                "NextBuildAttempt");
        List<String> expected = new ArrayList<>(List.of("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild"));
        expected.addAll(once);
        expected.addAll(once);
        expected.addAll(List.of("BuildAndScan", "build failed", "RecordFailedBuild", "RetryBuild", "CleanUp",
                "Finished", "StepFailed"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertCleanedUp(run);
        assertFailed(FailureCode.PLATFORM_FAILURE);
        assertThat(stored().failure().message()).contains("3 attempts", "FAULT");
    }

    @Test
    void buildARegistryThrottledOnEveryAttemptIsRetriedAndEndsPlatformFailureNotBuildFailed() throws Exception {
        ObjectNode built = buildSucceeded();
        MockedJobWorkflow.Job job = job().service("BuildAndScan", built, built, built);
        buildLeft("BUILD_FAILED", "docker build exited with 1", false, null);
        // radius-project/radius issue #8021: BuildKit's final error for Docker Hub's pull rate limit.
        aws.putArtifact(id, Artifact.LOG, "ERROR: failed to solve: golang:1.22-alpine: failed to resolve source metadata"
                + " for docker.io/library/golang:1.22-alpine: failed to copy: httpReadSeeker: failed open: unexpected"
                + " status code https://registry-1.docker.io/v2/library/golang/manifests/sha256:f56a: 429 Too Many"
                + " Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase"
                + " the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit\n");

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        List<String> once = List.of("BuildAndScan", "AfterBuild", "build throttled", "RecordFailedBuild", "RetryBuild",
                "BuildBackoff", "NextBuildAttempt");
        List<String> expected = new ArrayList<>(List.of("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild"));
        expected.addAll(once);
        expected.addAll(once);
        expected.addAll(List.of("BuildAndScan", "AfterBuild", "build throttled", "RecordFailedBuild", "RetryBuild",
                "CleanUp", "Finished", "StepFailed"));
        assertThat(run.statesEntered()).containsExactlyElementsOf(expected);
        assertCleanedUp(run);
        assertFailed(FailureCode.PLATFORM_FAILURE);
        assertThat(stored().failure().message()).contains("3 attempts", "toomanyrequests");
    }

    @Test
    void lambdaThatFailsEndsTheJobInternalThroughTheFailStepAfterAThrottleIsRetried() throws Exception {
        MockedJobWorkflow.Job job = built().injectLambda("Begin",
                throwsError("Lambda.TooManyRequestsException", "Rate Exceeded."));
        // ECS's documented ClientException for a family registered too often at once (RegisterTaskDefinition).
        aws.failOn("registerTaskDefinition", ClientException.builder()
                .message("Too many concurrent attempts to create a new revision of the specified family.").build());

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "PrepareRun", "prepare-run failed", "Fail", "CleanUp", "Finished",
                "StepFailed");
        assertCleanedUp(run);
        assertFailed(FailureCode.INTERNAL);
        assertThat(stored().failure().message()).contains("prepare-run", "Too many concurrent attempts");
    }

    // ---- cancel ----
    // LocalStack's mock configuration has no delay (a response is Return or Throw, nothing else), so a mocked task
    // cannot be kept running. The execution is held in the state instead by what its Retry does between attempts:
    // the mocked service answers the error the state retries (CodeBuild's account limit, ECS's capacity error),
    // and the cancel comes while the state waits to try again. StopExecution ends the execution there, as it would
    // end a build or task in progress; the execution-ended rule's two targets then run on the event it sends.

    /** True once the state was entered and its first attempt failed: it is waiting to retry. */
    private static Predicate<List<HistoryEvent>> waiting(
            String state) {
        return history -> {
            boolean entered = false;
            for (var event : history) {
                if (event.stateEnteredEventDetails() != null) {
                    entered = event.stateEnteredEventDetails().name().equals(state);
                }
                if (entered && event.typeAsString().equals("TaskFailed")) {
                    return true;
                }
            }
            return false;
        };
    }

    /** POST /jobs/{id}/cancel's use case, stopping the execution through the real Step Functions adapter. */
    private Consumer<String> cancel() {
        return stateMachineArn -> new JobService(jobs,
                new InMemoryDockerfileStore(), artifacts,
                new StepFunctionsPipelineLauncher(engine.sfn(), stateMachineArn),
                Clock.systemUTC()).cancel(queued.owner(), id);
    }

    /**
     * What the execution-ended rule does with the event of an ended execution, as the template wires it: the event
     * (detail as Step Functions sends it) is matched against the rule's pattern, and each target's function gets
     * the input its InputTransformer makes of the event, through the real handler.
     */
    private void executionEnded(MockedJobWorkflow.Job job, MockedJobWorkflow.Run run) throws IOException {
        ObjectNode event = StepInputs.JSON.createObjectNode().put("source", "aws.states")
                .put("detail-type", "Step Functions Execution Status Change");
        event.putObject("detail").put("executionArn", run.executionArn())
                .put("stateMachineArn", run.stateMachineArn()).put("name", id.value())
                .put("status", run.status().toString());
        var rules = TemplateQueries.resources("AWS::Events::Rule").stream()
                .filter(r -> r.at("/Properties/EventPattern/source/0").asText().equals("aws.states")).toList();
        assertThat(rules).hasSize(1);
        var rule = rules.get(0).get("Properties");
        assertThat(rule.at("/EventPattern/detail-type/0").asText()).isEqualTo(event.get("detail-type").asText());
        assertThat(StepInputs.JSON.convertValue(rule.at("/EventPattern/detail/status"), new TypeReference<List<String>>() { }))
                .contains(run.status().toString());
        List<WorkflowFunctions.State> invoked = new ArrayList<>();
        for (var target : rule.get("Targets")) {
            WorkflowFunctions.State function = MockedJobWorkflow.functionOf(target.at("/Arn/Fn::GetAtt/0").asText());
            String input = target.at("/InputTransformer/InputTemplate").asText();
            for (var path : target.at("/InputTransformer/InputPathsMap").properties()) {
                var value = event.at(path.getValue().asText().substring(1).replace('.', '/'));
                input = input.replace("<" + path.getKey() + ">", StepInputs.JSON.writeValueAsString(value));
            }
            job.handlers.get(function).handleRequest(StepInputs.input(input), null);
            invoked.add(function);
        }
        assertThat(invoked).containsExactly(WorkflowFunctions.State.EXECUTION_ENDED);
    }

    @Test
    void cancelMidBuildAbortsTheExecutionInBuildAndScanAndTheEndedRuleCleansUp() throws Exception {
        ObjectNode accountLimit = throwsError("CodeBuild.AccountLimitExceededException",
                "Cannot have more than 1 builds in queue for the account");
        MockedJobWorkflow.Job job = job()
                .service("BuildAndScan", accountLimit, accountLimit, accountLimit, accountLimit, accountLimit)
                .meanwhile(waiting("BuildAndScan"), cancel());

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan");
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
        executionEnded(job, run);
        // The clean-up looked for the job's builds in the aborted execution's own history, before stopping its tasks.
        assertThat(aws.calls()).containsSubsequence("getExecutionHistory " + run.executionArn(), "stopTasks " + id);
        // CodeBuild refused every StartBuild (its account limit): the history holds no submitted build, so there is
        // none to look up or stop (a build that was submitted is stopped by id: CodeBuildJobBuildsTest).
        assertThat(aws.calls()).noneMatch(call -> call.startsWith("batchGetBuilds") || call.startsWith("stopBuild"));
        assertThat(aws.calls()).contains("stopTasks " + id, "removeTaskDefinitions " + id, "deleteImage " + id);
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void cancelMidRunAbortsTheExecutionInRunTaskAndTheEndedRuleCleansUp() throws Exception {
        MockedJobWorkflow.Job job = built()
                .service("RunTask", noCapacity(), noCapacity(), noCapacity(), noCapacity(), noCapacity(), noCapacity())
                .meanwhile(waiting("RunTask"), cancel());

        MockedJobWorkflow.Run run = workflow.run(job);

        assertThat(run.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(run.statesEntered()).containsExactly("Attempts", "Admit", "Admitted", "Begin", "ShouldBuild", "BuildAndScan", "AfterBuild",
                "ShouldRun", "PrepareRun", "FirstRun", "RunTask");
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
        executionEnded(job, run);
        assertThat(aws.calls()).contains("registerTaskDefinition " + id, "stopTasks " + id,
                "removeTaskDefinitions " + id, "deleteImage " + id);
        assertThat(stored().status()).isEqualTo(JobStatus.CANCELLED);
    }
}
