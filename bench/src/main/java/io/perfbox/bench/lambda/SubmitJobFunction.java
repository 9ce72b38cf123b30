package io.perfbox.bench.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.api.ApiOperation;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.port.DockerfileStore;
import io.perfbox.core.port.JobArtifactStore;
import io.perfbox.core.port.LogSlice;
import io.perfbox.core.port.PipelineLauncher;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.api.ApiHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Benchmark 5's submit Lambda: the AWS runtime's {@link io.perfbox.runtime.aws.api.ApiHandler} on POST /jobs, called as
 * Lambda calls it (its stream entry, the raw event in), over the real {@link DynamoDbJobStore} whose client is built
 * as the product builds it ({@link AwsRuntime#configure}: region and credentials from the typed settings, the
 * url-connection HTTP client), aimed at moto, the bench's DynamoDB (PERFBOX_BENCH_DYNAMODB_ENDPOINT: an endpoint
 * only the bench overrides). Only the ports that would call S3 and Step Functions are stand-ins: the Dockerfile is
 * kept in memory and the pipeline start is a no-op, so the figure leaves those two calls (and their clients) out.
 */
public final class SubmitJobFunction implements RequestStreamHandler {
    private final ApiHandler function;

    public SubmitJobFunction() {
        AwsSettings.Common settings = AwsSettings.Common.from(System.getenv());
        DynamoDbClient dynamoDb = AwsRuntime.configure(DynamoDbClient.builder(), settings, AwsRuntime.lambdaCredentials())
                .endpointOverride(URI.create(required("PERFBOX_BENCH_DYNAMODB_ENDPOINT")))
                .build();
        JobService jobs = new JobService(new DynamoDbJobStore(dynamoDb, settings.jobsTable()),
                new InMemoryDockerfiles(), new NoArtifacts(), new NoPipeline(), Clock.systemUTC());
        function = new ApiHandler(ApiOperation.SUBMIT_JOB, new PerfboxApi(jobs));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        function.handleRequest(input, output, context);
    }

    private static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }

    /** Stand-in for the S3 Dockerfile store. */
    private static final class InMemoryDockerfiles implements DockerfileStore {
        private final Map<JobId, Dockerfile> files = new ConcurrentHashMap<>();

        @Override
        public void save(JobId id, Dockerfile dockerfile) {
            files.put(id, dockerfile);
        }

        @Override
        public Optional<Dockerfile> load(JobId id) {
            return Optional.ofNullable(files.get(id));
        }

        @Override
        public void delete(JobId id) {
            files.remove(id);
        }
    }

    /** Stand-in for the S3 artifact store; submitting never reads or writes artifacts. */
    private static final class NoArtifacts implements JobArtifactStore {
        @Override
        public void saveLog(JobId id, LogKind kind, CapturedLog log) {
        }

        @Override
        public Optional<CapturedLog> log(JobId id, LogKind kind) {
            return Optional.empty();
        }

        @Override
        public void saveScanReport(JobId id, ScanReport report) {
        }

        @Override
        public Optional<ScanReport> scanReport(JobId id) {
            return Optional.empty();
        }

        @Override
        public LogWriter openLog(JobId id, LogKind kind) {
            throw new UnsupportedOperationException("submitting writes no log");
        }

        @Override
        public Optional<LogSlice> readLog(JobId id, LogKind kind, long offset, int maxBytes) {
            return Optional.empty();
        }

        @Override
        public void deleteAll(JobId id) {
        }
    }

    /** Stand-in for starting the Step Functions execution. */
    private static final class NoPipeline implements PipelineLauncher {
        @Override
        public void start(JobId id) {
        }

        @Override
        public void stop(JobId id) {
        }
    }
}
