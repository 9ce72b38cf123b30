package io.perfbox.runtime.aws.workflow;

import io.perfbox.adapter.aws.dynamodb.DynamoDbAdmission;
import io.perfbox.core.lifecycle.JobLifecycle;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.LambdaLogging;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What a workflow Lambda container builds once, in its handler's no-argument constructor: JSON logs
 * ({@link LambdaLogging}), the configuration (read from the environment, failing fast with every problem), the SDK
 * clients (configured as every perfbox client is, {@link AwsRuntime#configure}) and the lifecycle and ports over
 * them. Holder classes make each piece lazy, built once and thread-safe.
 */
final class WorkflowRuntime {
    private WorkflowRuntime() {
    }

    static WorkflowConfig config() {
        return AwsRuntime.initialized(() -> ConfigHolder.CONFIG);
    }

    static JobLifecycle lifecycle() {
        return wiring().lifecycle();
    }

    static WorkflowPorts ports() {
        return wiring().ports();
    }

    static RunRecorder runRecorder() {
        return wiring().runRecorder();
    }

    static JobCleanUp cleanUp() {
        return wiring().cleanUp();
    }

    static DynamoDbAdmission admission() {
        return wiring().admission();
    }

    static Reconciler reconciler() {
        return wiring().reconciler(Clock.systemUTC());
    }

    private static WorkflowWiring wiring() {
        return AwsRuntime.initialized(() -> Wiring.WIRING);
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
        static final WorkflowWiring WIRING;

        static {
            WorkflowConfig config = ConfigHolder.CONFIG;
            AwsSettings.Common common = config.common();
            AwsCredentialsProvider credentials = AwsRuntime.lambdaCredentials();
            WIRING = WorkflowWiring.of(config, new WorkflowWiring.Clients(
                    AwsRuntime.dynamoDbClient(common, credentials),
                    AwsRuntime.s3Client(common, credentials),
                    AwsRuntime.configure(EcsClient.builder(), common, credentials).build(),
                    AwsRuntime.configure(EcrClient.builder(), common, credentials).build(),
                    AwsRuntime.configure(CloudWatchLogsClient.builder(), common, credentials).build(),
                    AwsRuntime.configure(SfnClient.builder(), common, credentials).build(),
                    AwsRuntime.configure(CodeBuildClient.builder(), common, credentials).build()),
                    Clock.systemUTC());
        }
    }
}
