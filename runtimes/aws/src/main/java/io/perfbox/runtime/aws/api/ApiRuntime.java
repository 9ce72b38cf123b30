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
import io.perfbox.adapter.aws.logs.CloudWatchJobLogs;
import io.perfbox.adapter.aws.logs.ExecutionHistoryLogStreams;
import java.time.Clock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What an API Lambda container builds once, in its function's no-argument constructor: JSON logs, the API settings
 * (read once), the DynamoDB, S3 and Step Functions clients ({@link AwsRuntime#configure}), the use cases over the
 * real adapters, and the SnapStart priming of all that ({@link ApiPriming}). Holder classes make each piece lazy, built
 * once and thread-safe. (The workflow's counterpart is {@code io.perfbox.runtime.aws.workflow.WorkflowRuntime}.)
 */
public final class ApiRuntime {
    private ApiRuntime() {
    }

    /** For the functions behind job routes: the API over the use cases, with logging and SnapStart priming first. */
    public static PerfboxApi api() {
        return AwsRuntime.initialized(() -> Wiring.API);
    }

    /** For a function that calls no AWS service (the OpenAPI document): logging and the JSON part of the priming. */
    public static PerfboxApi apiWithoutAws() {
        LambdaLogging.install();
        ApiPriming.register(ApiPriming.jsonOnly());
        return new PerfboxApi(null);
    }

    public static SfnClient sfnClient(AwsSettings.Common settings, AwsCredentialsProvider credentials) {
        return AwsRuntime.configure(SfnClient.builder(), settings, credentials).build();
    }

    /**
     * The API's use cases over the real adapters: jobs in DynamoDB, files in S3, pipelines in Step Functions; the
     * tenants' quotas counted by the job store itself (its byUsage index), as the local server counts them in its
     * database, so a submit past one answers 429 with Retry-After on both.
     */
    public static JobService jobService(AwsSettings.Api settings, DynamoDbClient dynamoDb, S3Client s3, SfnClient sfn,
                                        Clock clock) {
        String bucket = settings.common().artifactBucket();
        DynamoDbJobStore jobs = new DynamoDbJobStore(dynamoDb, settings.common().jobsTable(),
                settings.common().retainFinished());
        return new JobService(
                jobs,
                new S3DockerfileStore(s3, bucket),
                new S3JobArtifactStore(s3, bucket),
                new StepFunctionsPipelineLauncher(sfn, settings.stateMachineArn()),
                clock)
                // Runs 1 to 10, as locally: the workflow loops over a job's runs (JobWorkflow's MoreRuns).
                .withQuotas(settings.quotas(), jobs);
    }

    /**
     * How long a follow of a job's output waits for new output: within the function's 20 s timeout and API Gateway's
     * 29 s, with room for the reads around it.
     */
    public static final java.time.Duration LONG_POLL = java.time.Duration.ofSeconds(15);

    /** A job's output while it is produced: the stored logs first, else CodeBuild's and the task's CloudWatch streams. */
    public static CloudWatchJobLogs liveLogs(AwsSettings.Api settings, AwsSettings.LiveLogs live,
                                             S3JobArtifactStore stored, SfnClient sfn, CloudWatchLogsClient logs) {
        StepFunctionsPipelineLauncher executions = new StepFunctionsPipelineLauncher(sfn, settings.stateMachineArn());
        return new CloudWatchJobLogs(stored, logs, new ExecutionHistoryLogStreams(sfn, executions::executionArn),
                live.buildLogGroup(), live.taskLogGroup());
    }

    /** The settings, read once, and everything built on them, once per container. */
    private static final class Wiring {
        static final PerfboxApi API;

        static {
            // Logging first, so that every line from here on (the SDK's too) is JSON.
            LambdaLogging.install();
            AwsSettings.Api settings = AwsSettings.Api.from(System.getenv());
            AwsCredentialsProvider credentials = AwsRuntime.lambdaCredentials();
            DynamoDbClient dynamoDb = AwsRuntime.dynamoDbClient(settings.common(), credentials);
            S3Client s3 = AwsRuntime.s3Client(settings.common(), credentials);
            SfnClient sfn = sfnClient(settings.common(), credentials);
            JobService service = jobService(settings, dynamoDb, s3, sfn, Clock.systemUTC());
            AwsSettings.LiveLogs.from(System.getenv()).ifPresent(live -> service.withLiveLogs(liveLogs(settings, live,
                    new S3JobArtifactStore(s3, settings.common().artifactBucket()), sfn,
                    AwsRuntime.configure(CloudWatchLogsClient.builder(), settings.common(), credentials).build())));
            API = new PerfboxApi(service).withLongPoll(LONG_POLL);
            ApiPriming.register(ApiPriming.withAws(settings, dynamoDb, s3, sfn));
        }
    }
}
