package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.adapter.aws.codebuild.CodeBuildJobBuilds;
import io.perfbox.adapter.aws.codebuild.JobBuilds;
import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.ecr.EcrJobImages;
import io.perfbox.adapter.aws.ecs.EcsJobTasks;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.logs.CloudWatchRunLogs;
import io.perfbox.adapter.aws.s3.S3BuildArtifacts;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The workflow functions' lifecycle and ports, built from their configuration and SDK clients: the one wiring
 * {@link WorkflowRuntime} builds once per Lambda container (and any other caller builds the same way, so the two
 * cannot drift).
 */
public final class WorkflowWiring {
    /** The SDK clients the workflow functions call AWS with. */
    public record Clients(DynamoDbClient dynamoDb, S3Client s3, EcsClient ecs, EcrClient ecr, CloudWatchLogsClient logs, SfnClient sfn, CodeBuildClient codeBuild) {
        public Clients {
            Objects.requireNonNull(dynamoDb, "dynamoDb");
            Objects.requireNonNull(s3, "s3");
            Objects.requireNonNull(ecs, "ecs");
            Objects.requireNonNull(ecr, "ecr");
            Objects.requireNonNull(logs, "logs");
            Objects.requireNonNull(sfn, "sfn");
            Objects.requireNonNull(codeBuild, "codeBuild");
        }
    }

    private final WorkflowConfig config;
    private final JobLifecycle lifecycle;
    private final WorkflowPorts ports;
    private final JobBuilds builds;
    private final DynamoDbJobStore jobs;
    private final StepFunctionsPipelineLauncher executions;
    private final List<JobResourceInventory> inventories;
    private final DynamoDbAdmission admission;
    /** The job artifacts the lifecycle stores; RecordRun reads the run log back to join a job's runs. */
    private final S3JobArtifactStore artifacts;

    private WorkflowWiring(WorkflowConfig config, Clients clients, Clock clock) {
        this.config = config;
        var common = config.common();
        jobs = new DynamoDbJobStore(clients.dynamoDb(), common.jobsTable(), common.retainFinished());
        executions = new StepFunctionsPipelineLauncher(clients.sfn(), config.stateMachineArn());
        builds = new CodeBuildJobBuilds(clients.codeBuild(), config.buildProject(),
                new ExecutionHistory(clients.sfn(), executions::executionArn));
        // The state machine's CleanUp state releases what a job holds, after it ended.
        artifacts = new S3JobArtifactStore(clients.s3(), common.artifactBucket());
        lifecycle = new JobLifecycle(jobs, artifacts,
                config.policy(), config.runMemoryLimitBytes(), JobResources.RELEASED_ELSEWHERE, clock);
        EcsTaskDefinitions taskDefinitions = new EcsTaskDefinitions(clients.ecs(), config.taskDefinitions());
        EcrJobImages images = new EcrJobImages(clients.ecr(), config.ecrRepository());
        ports = new WorkflowPorts(
                new S3BuildArtifacts(clients.s3(), common.artifactBucket()),
                taskDefinitions,
                new EcsJobTasks(clients.ecs(), config.clusterArn()),
                images,
                new CloudWatchRunLogs(clients.logs(), config.taskLogGroup()));
        admission = new DynamoDbAdmission(clients.dynamoDb(), common.jobsTable(), jobs, clock);
        // The per-job resources the reconciler sweeps; a new kind joins here (and as a part of JobCleanUp).
        inventories = List.of(taskDefinitions, images, admission);
    }

    /** The lifecycle and ports over {@code clients}, configured by {@code config}, on {@code clock}. */
    public static WorkflowWiring of(WorkflowConfig config, Clients clients, Clock clock) {
        return new WorkflowWiring(Objects.requireNonNull(config, "config"), Objects.requireNonNull(clients, "clients"),
                Objects.requireNonNull(clock, "clock"));
    }

    public WorkflowConfig config() {
        return config;
    }

    public JobLifecycle lifecycle() {
        return lifecycle;
    }

    public WorkflowPorts ports() {
        return ports;
    }

    public RunRecorder runRecorder() {
        return new RunRecorder(lifecycle, ports.tasks(), ports.runLogs(), config.runTimeout(), config.runStartTimeout(),
                RunRecorder.COLLECTOR_LOG_PATIENCE, config.taskLimits(), artifacts);
    }

    public JobCleanUp cleanUp() {
        return new JobCleanUp(builds, ports.tasks(), ports.taskDefinitions(), ports.images(), admission);
    }

    /** The cap on jobs in flight (the Admit state's, and the clean-ups' release). */
    public DynamoDbAdmission admission() {
        return admission;
    }

    /** What the reconciler's sweep lists, one inventory per kind of per-job resource. */
    List<JobResourceInventory> inventories() {
        return inventories;
    }

    /** The reconciler, its grace period {@link Reconciler#GRACE}, on {@code clock}. */
    public Reconciler reconciler(Clock clock) {
        return new Reconciler(jobs, lifecycle, executions, cleanUp(), inventories, Reconciler.GRACE, clock);
    }
}
