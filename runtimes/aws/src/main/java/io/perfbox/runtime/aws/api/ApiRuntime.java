package io.perfbox.runtime.aws.api;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.logs.CloudWatchJobLogs;
import io.perfbox.adapter.aws.logs.ExecutionHistoryLogStreams;
import io.perfbox.adapter.aws.s3.S3DockerfileStore;
import io.perfbox.adapter.aws.s3.S3JobArtifactStore;
import io.perfbox.adapter.aws.sfn.StepFunctionsPipelineLauncher;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.LambdaLogging;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What an API Lambda container builds once. Its handler's no-argument constructor ({@link ApiHandler#ApiHandler()}) installs JSON logs, reads the
 * API settings and the credentials' source (once, typed: a misconfigured function fails at its start) and registers
 * the SnapStart priming ({@link ApiPriming}); the DynamoDB, S3 and Step Functions clients
 * ({@link AwsRuntime#configure}) and the use cases over the real adapters are built on first use ({@link LazyApi}):
 * the first request, or, with SnapStart, the priming before the snapshot. Holder classes and {@link LazyApi} build
 * each piece once, thread-safe. (The workflow's counterpart is {@code io.perfbox.runtime.aws.workflow.WorkflowRuntime}.)
 */
public final class ApiRuntime {
    private ApiRuntime() {
    }

    /**
     * For the functions behind job routes: the API over the use cases, built on first use; logging, the settings and
     * the SnapStart priming now.
     */
    public static LazyApi lazyApi() {
        return AwsRuntime.initialized(() -> Wiring.API);
    }

    /** The API over {@code clients}, each built by the first {@link LazyApi#get} or {@link LazyApi#clients}. */
    public static LazyApi lazyApi(AwsSettings.Api settings, Optional<AwsSettings.LiveLogs> live, Supplier<Clients> clients) {
        return new LazyApi(settings, live, clients);
    }

    /** The SDK clients of an API function (CloudWatch Logs only where the live logs are read). */
    public record Clients(DynamoDbClient dynamoDb, S3Client s3, SfnClient sfn, Optional<CloudWatchLogsClient> logs) {
        public Clients {
            Objects.requireNonNull(dynamoDb, "dynamoDb");
            Objects.requireNonNull(s3, "s3");
            Objects.requireNonNull(sfn, "sfn");
            Objects.requireNonNull(logs, "logs");
        }

        /** As a function builds them: region and credentials from the typed settings, AWS's own endpoints. */
        static Clients of(AwsSettings.Api settings, Optional<AwsSettings.LiveLogs> live, AwsCredentialsProvider credentials) {
            AwsSettings.Common common = settings.common();
            return new Clients(AwsRuntime.dynamoDbClient(common, credentials), AwsRuntime.s3Client(common, credentials),
                    sfnClient(common, credentials), live.map(l -> AwsRuntime.configure(CloudWatchLogsClient.builder(),
                            common, credentials).build()));
        }
    }

    /**
     * The API of a function, built on first use, once (thread-safe): its SDK clients, then the use cases over them.
     * A construction that makes no client keeps a cold start that answers without SnapStart from paying for them
     * twice over (in the init and again in the first request's wait), and lets the priming decide when they are made.
     */
    public static final class LazyApi implements Supplier<PerfboxApi> {
        private final AwsSettings.Api settings;
        private final Optional<AwsSettings.LiveLogs> live;
        private final Supplier<Clients> build;
        private volatile Clients clients;
        private volatile PerfboxApi api;

        private LazyApi(AwsSettings.Api settings, Optional<AwsSettings.LiveLogs> live, Supplier<Clients> build) {
            this.settings = Objects.requireNonNull(settings, "settings");
            this.live = Objects.requireNonNull(live, "live");
            this.build = Objects.requireNonNull(build, "build");
        }

        public AwsSettings.Api settings() {
            return settings;
        }

        /** The clients, built by the first call. */
        public Clients clients() {
            Clients c = clients;
            if (c == null) {
                synchronized (this) {
                    c = clients;
                    if (c == null) {
                        c = Objects.requireNonNull(build.get(), "clients");
                        clients = c;
                    }
                }
            }
            return c;
        }

        /** The API over the clients, built by the first call. */
        @Override
        public PerfboxApi get() {
            PerfboxApi a = api;
            if (a == null) {
                synchronized (this) {
                    a = api;
                    if (a == null) {
                        Clients c = clients();
                        JobService service = jobService(settings, c.dynamoDb(), c.s3(), c.sfn(), Clock.systemUTC());
                        live.ifPresent(l -> c.logs().ifPresent(logs -> service.withLiveLogs(liveLogs(settings, l,
                                new S3JobArtifactStore(c.s3(), settings.common().artifactBucket()), c.sfn(), logs))));
                        a = new PerfboxApi(service).withLongPoll(LONG_POLL);
                        api = a;
                    }
                }
            }
            return a;
        }
    }

    /** For a function that calls no AWS service (the OpenAPI document, {@link PerfboxApi#openApi}): logging and the JSON part of the priming. */
    public static void initWithoutAws() {
        LambdaLogging.install();
        ApiPriming.register(ApiPriming.jsonOnly());
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
    public static final Duration LONG_POLL = Duration.ofSeconds(15);

    /** A job's output while it is produced: the stored logs first, else CodeBuild's and the task's CloudWatch streams. */
    public static CloudWatchJobLogs liveLogs(AwsSettings.Api settings, AwsSettings.LiveLogs live,
                                             S3JobArtifactStore stored, SfnClient sfn, CloudWatchLogsClient logs) {
        StepFunctionsPipelineLauncher executions = new StepFunctionsPipelineLauncher(sfn, settings.stateMachineArn());
        return new CloudWatchJobLogs(stored, logs, new ExecutionHistoryLogStreams(sfn, executions::executionArn),
                live.buildLogGroup(), live.taskLogGroup());
    }

    /** The settings, read once, and the API built on them on first use, once per container. */
    private static final class Wiring {
        static final LazyApi API;

        static {
            // Logging first, so that every line from here on (the SDK's too) is JSON.
            LambdaLogging.install();
            Map<String, String> env = System.getenv();
            AwsSettings.Api settings = AwsSettings.Api.from(env);
            Optional<AwsSettings.LiveLogs> live = AwsSettings.LiveLogs.from(env);
            AwsCredentialsProvider credentials = AwsRuntime.credentials(AwsSettings.LambdaCredentials.from(env));
            API = lazyApi(settings, live, () -> Clients.of(settings, live, credentials));
            ApiPriming.register(ApiPriming.withAws(settings, API::clients));
        }
    }
}
