package io.perfbox.runtime.aws.api;

import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.LambdaLogging;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.s3.S3DockerfileStore;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What an API Lambda container builds once, in its handler's no-argument constructor: JSON logs, the API settings,
 * the Step Functions client (beside {@link AwsRuntime}'s DynamoDB and S3 clients), the use cases over the real
 * adapters, and the SnapStart priming of all that ({@link ApiPriming}). Holder classes make each piece lazy, built
 * once and thread-safe. (The workflow's counterpart is {@code io.perfbox.runtime.aws.workflow.WorkflowRuntime}.)
 */
public final class ApiRuntime {
    private ApiRuntime() {
    }

    /** For the handlers behind job routes: the use cases, with logging and SnapStart priming set up first. */
    public static JobService jobService() {
        return AwsRuntime.initialized(() -> ServiceHolder.SERVICE);
    }

    /** For the functions behind job routes: the API over the use cases, with logging and SnapStart priming first. */
    public static PerfboxApi api() {
        return AwsRuntime.initialized(() -> ServiceHolder.API);
    }

    /** For a function that calls no AWS service (the OpenAPI document): logging and the JSON part of the priming. */
    public static PerfboxApi apiWithoutAws() {
        LambdaLogging.install();
        ApiPriming.register(ApiPriming.jsonOnly());
        return new PerfboxApi(null);
    }

    public static AwsSettings.Api settings() {
        return AwsRuntime.initialized(() -> SettingsHolder.SETTINGS);
    }

    public static SfnClient sfn() {
        return AwsRuntime.initialized(() -> SfnHolder.CLIENT);
    }

    public static SfnClient sfnClient(AwsSettings.Common settings, AwsCredentialsProvider credentials) {
        return AwsRuntime.configure(SfnClient.builder(), settings, credentials).build();
    }

    /** The API's use cases over the real adapters: jobs in DynamoDB, files in S3, pipelines in Step Functions. */
    public static JobService jobService(AwsSettings.Api settings, DynamoDbClient dynamoDb, S3Client s3, SfnClient sfn,
                                        Clock clock) {
        String bucket = settings.common().artifactBucket();
        return new JobService(
                new DynamoDbJobStore(dynamoDb, settings.common().jobsTable()),
                new S3DockerfileStore(s3, bucket),
                new S3JobArtifactStore(s3, bucket),
                new StepFunctionsPipelineLauncher(sfn, settings.stateMachineArn()),
                clock);
    }

    private static final class SettingsHolder {
        static final AwsSettings.Api SETTINGS = AwsSettings.Api.from(System.getenv());
    }

    private static final class SfnHolder {
        static final SfnClient CLIENT = sfnClient(AwsRuntime.common(), AwsRuntime.lambdaCredentials());
    }

    private static final class ServiceHolder {
        static final JobService SERVICE;
        static final PerfboxApi API;

        static {
            // Logging first, so that every line from here on (the SDK's too) is JSON.
            LambdaLogging.install();
            SERVICE = jobService(settings(), AwsRuntime.dynamoDb(), AwsRuntime.s3(), sfn(), Clock.systemUTC());
            API = new PerfboxApi(SERVICE);
            ApiPriming.register(ApiPriming.withAws(settings(), AwsRuntime.dynamoDb(), AwsRuntime.s3(), sfn()));
        }
    }
}
