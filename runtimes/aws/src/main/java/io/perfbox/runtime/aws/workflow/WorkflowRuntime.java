package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.adapter.aws.codebuild.CodeBuildJobBuilds;
import io.perfbox.adapter.aws.codebuild.JobBuilds;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.ecr.EcrJobImages;
import io.perfbox.adapter.aws.ecs.EcsJobTasks;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.efs.EfsAccessPoints;
import io.perfbox.adapter.aws.iam.IamJobRoles;
import io.perfbox.adapter.aws.logs.CloudWatchRunLogs;
import io.perfbox.adapter.aws.s3.S3BuildArtifacts;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.adapter.aws.sfn.ExecutionHistory;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.core.lifecycle.JobResources;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.LambdaLogging;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.efs.EfsClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What a workflow Lambda container builds once, in its handler's no-argument constructor: JSON logs
 * ({@link LambdaLogging}), the configuration (read from the environment, failing fast with every problem), the SDK
 * clients (configured as every perfbox client is, {@link AwsRuntime#configure}) and the lifecycle and ports over
 * them. Holder classes make each piece lazy, built once and thread-safe. The in-VPC handlers use only
 * {@link #workspaceRoot()}: their functions have no AWS configuration and call no AWS API.
 */
final class WorkflowRuntime {
    private WorkflowRuntime() {
    }

    static WorkflowConfig config() {
        return AwsRuntime.initialized(() -> ConfigHolder.CONFIG);
    }

    static JobLifecycle lifecycle() {
        return AwsRuntime.initialized(() -> Wiring.LIFECYCLE);
    }

    static WorkflowPorts ports() {
        return AwsRuntime.initialized(() -> Wiring.PORTS);
    }

    static RunRecorder runRecorder() {
        WorkflowPorts ports = ports();
        return new RunRecorder(lifecycle(), ports.tasks(), ports.runLogs(), config().runTimeout(),
                config().runStartTimeout());
    }

    static JobCleanUp cleanUp() {
        WorkflowPorts ports = ports();
        return new JobCleanUp(AwsRuntime.initialized(() -> Wiring.BUILDS), ports.tasks(), ports.taskDefinitions(),
                ports.accessPoints(), ports.roles(), ports.images());
    }

    static Reconciler reconciler() {
        JobCleanUp cleanUp = cleanUp();
        return AwsRuntime.initialized(() -> new Reconciler(Wiring.JOBS, Wiring.LIFECYCLE, Wiring.EXECUTIONS, cleanUp,
                Wiring.INVENTORIES, Reconciler.GRACE, Clock.systemUTC()));
    }

    static Path workspaceRoot() {
        return WorkspaceHolder.ROOT;
    }

    private static final class ConfigHolder {
        static final WorkflowConfig CONFIG;

        static {
            // Logging first, so that every line from here on (the SDK's too) is JSON.
            LambdaLogging.install();
            CONFIG = WorkflowConfig.fromEnvironment();
        }
    }

    private static final class Wiring {
        static final JobLifecycle LIFECYCLE;
        static final WorkflowPorts PORTS;
        static final JobBuilds BUILDS;
        static final DynamoDbJobStore JOBS;
        static final StepFunctionsPipelineLauncher EXECUTIONS;
        /** The per-job resources the reconciler sweeps; a new kind joins here (and as a part of JobCleanUp). */
        static final List<JobResourceInventory> INVENTORIES;

        static {
            WorkflowConfig config = ConfigHolder.CONFIG;
            AwsSettings.Common common = config.common();
            AwsCredentialsProvider credentials = AwsRuntime.lambdaCredentials();
            DynamoDbClient dynamoDb = AwsRuntime.dynamoDbClient(common, credentials);
            S3Client s3 = AwsRuntime.s3Client(common, credentials);
            EcsClient ecs = AwsRuntime.configure(EcsClient.builder(), common, credentials).build();
            EfsClient efs = AwsRuntime.configure(EfsClient.builder(), common, credentials).build();
            // IAM is global: the SDK resolves any Region of the partition to its one endpoint.
            IamClient iam = AwsRuntime.configure(IamClient.builder(), common, credentials).build();
            EcrClient ecr = AwsRuntime.configure(EcrClient.builder(), common, credentials).build();
            CloudWatchLogsClient logs = AwsRuntime.configure(CloudWatchLogsClient.builder(), common, credentials).build();
            SfnClient sfn = AwsRuntime.configure(SfnClient.builder(), common, credentials).build();
            CodeBuildClient codeBuild = AwsRuntime.configure(CodeBuildClient.builder(), common, credentials).build();
            JOBS = new DynamoDbJobStore(dynamoDb, common.jobsTable());
            EXECUTIONS = new StepFunctionsPipelineLauncher(sfn, config.stateMachineArn());
            BUILDS = new CodeBuildJobBuilds(codeBuild, config.buildProject(),
                    new ExecutionHistory(sfn, EXECUTIONS::executionArn));
            // The state machine's CleanUp and DiscardWorkspace states release what a job holds, after it ended.
            LIFECYCLE = new JobLifecycle(
                    JOBS,
                    new S3JobArtifactStore(s3, common.artifactBucket()),
                    config.policy(), config.runMemoryLimitBytes(), JobResources.RELEASED_ELSEWHERE, Clock.systemUTC());
            EcsTaskDefinitions taskDefinitions = new EcsTaskDefinitions(ecs, config.taskDefinitions());
            EfsAccessPoints accessPoints = new EfsAccessPoints(efs, config.fileSystemId());
            EcrJobImages images = new EcrJobImages(ecr, config.ecrRepository());
            PORTS = new WorkflowPorts(
                    new S3BuildArtifacts(s3, common.artifactBucket()),
                    taskDefinitions,
                    new EcsJobTasks(ecs, config.clusterArn()),
                    accessPoints,
                    new IamJobRoles(iam, config.jobRoles()),
                    images,
                    new CloudWatchRunLogs(logs, config.taskLogGroup()));
            INVENTORIES = List.of(accessPoints, taskDefinitions, images);
        }
    }

    private static final class WorkspaceHolder {
        static final Path ROOT;

        static {
            LambdaLogging.install();
            ROOT = WorkspaceConfig.fromEnvironment().root();
        }
    }
}
