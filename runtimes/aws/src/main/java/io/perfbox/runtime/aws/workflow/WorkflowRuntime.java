package io.perfbox.runtime.aws.workflow;

import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.LambdaLogging;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.ecr.EcrJobImages;
import io.perfbox.adapter.aws.ecs.EcsJobTasks;
import io.perfbox.adapter.aws.ecs.EcsTaskDefinitions;
import io.perfbox.adapter.aws.efs.EfsAccessPoints;
import io.perfbox.adapter.aws.logs.CloudWatchRunLogs;
import io.perfbox.adapter.aws.s3.S3BuildArtifacts;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.core.lifecycle.JobProgress;
import java.time.Clock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.efs.EfsClient;

/**
 * What the workflow's step Lambda builds once per container: JSON logs ({@link LambdaLogging}), its configuration
 * (read from the environment, failing fast), its SDK clients (configured as every perfbox client is, see {@link AwsRuntime#configure}) and the use case
 * over the real adapters. Holder classes make each piece lazy, built once and thread-safe.
 */
final class WorkflowRuntime {
    private WorkflowRuntime() {
    }

    static WorkflowConfig config() {
        return ConfigHolder.CONFIG;
    }

    static JobProgress progress() {
        return Wiring.PROGRESS;
    }

    static WorkflowPorts ports() {
        return Wiring.PORTS;
    }

    private static final class ConfigHolder {
        static final WorkflowConfig CONFIG = WorkflowConfig.fromEnvironment();
    }

    private static final class Wiring {
        static final JobProgress PROGRESS;
        static final WorkflowPorts PORTS;

        static {
            // Logging first, so that every line from here on (the SDK's too) is JSON.
            LambdaLogging.install();
            WorkflowConfig config = ConfigHolder.CONFIG;
            AwsSettings.Common common = AwsRuntime.common();
            var credentials = AwsRuntime.lambdaCredentials();
            EcsClient ecs = AwsRuntime.configure(EcsClient.builder(), common, common.endpoint(), credentials).build();
            EfsClient efs = AwsRuntime.configure(EfsClient.builder(), common, common.endpoint(), credentials).build();
            EcrClient ecr = AwsRuntime.configure(EcrClient.builder(), common, common.endpoint(), credentials).build();
            CloudWatchLogsClient logs = AwsRuntime.configure(CloudWatchLogsClient.builder(), common, common.endpoint(),
                    credentials).build();
            PROGRESS = new JobProgress(
                    new DynamoDbJobStore(AwsRuntime.dynamoDb(), config.jobsTable()),
                    new S3JobArtifactStore(AwsRuntime.s3(), config.artifactBucket()),
                    config.policy(), config.runMemoryLimitBytes(), Clock.systemUTC());
            PORTS = new WorkflowPorts(
                    new S3BuildArtifacts(AwsRuntime.s3(), config.artifactBucket()),
                    new EcsTaskDefinitions(ecs, config),
                    new EcsJobTasks(ecs, config.clusterArn()),
                    new EfsAccessPoints(efs, config.fileSystemId()),
                    new EcrJobImages(ecr, config.ecrRepository()),
                    new CloudWatchRunLogs(logs, config.taskLogGroup()));
        }
    }
}
