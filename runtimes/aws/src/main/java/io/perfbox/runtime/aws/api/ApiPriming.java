package io.perfbox.runtime.aws.api;

import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.adapter.aws.s3.ArtifactKeys;
import io.perfbox.api.ApiJson;
import io.perfbox.api.ApiRequest;
import io.perfbox.api.ApiResponse;
import io.perfbox.api.Problem;
import io.perfbox.api.SubmitRequestParser;
import io.perfbox.core.application.SubmitJobCommand;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import io.perfbox.runtime.aws.AwsSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * SnapStart priming of the API functions. With SnapStart, Lambda runs a version's initialisation once, snapshots
 * the JVM and starts later containers from that snapshot: whatever ran before the snapshot is paid once, whatever
 * did not falls on the first request of every restored container. Building objects is not enough: the JVM loads
 * and links classes, Jackson builds its serializers for a type and the SDK resolves its marshallers, endpoint
 * rules and signer only when they are first used. So, just before the snapshot ({@link #beforeCheckpoint}), this
 * runs each hot path once with made-up data, and never touches the network:
 * <ul>
 *   <li>an API Gateway event read and a response written through the handlers' own stream entry code, and a
 *       submission's JSON body parsed ({@link SubmitRequestParser}): every request goes through that;</li>
 *   <li>a job view and a problem written ({@link ApiJson}): every answer is one of the two;</li>
 *   <li>with the SDK clients (not for the OpenAPI function, which has none), one request per client marshalled and
 *       signed, then stopped just before it would be sent: DynamoDB on every request, S3 and Step Functions on a
 *       submission. Signing uses throwaway credentials, so the role's real ones are neither fetched before the
 *       snapshot nor kept in it.</li>
 * </ul>
 * Each part fails alone and only logs a warning: priming is an optimisation and must never stop a version from
 * being published. One line at the end names the parts primed and the time taken.
 */
public final class ApiPriming implements Resource {
    private static final Logger LOG = Logger.getLogger(ApiPriming.class.getName());
    /** What has been registered in this JVM, by kind; org.crac holds resources weakly, so they are kept here. */
    private static final Map<String, ApiPriming> REGISTERED = new LinkedHashMap<>();

    private static final JobId SAMPLE_JOB = new JobId("00000000-0000-4000-8000-000000000000");
    private static final String SAMPLE_EVENT = """
            {"resource":"/jobs","path":"/jobs","httpMethod":"POST",
             "headers":{"Content-Type":"application/json","Idempotency-Key":"priming"},
             "multiValueHeaders":{"Content-Type":["application/json"],"Idempotency-Key":["priming"]},
             "queryStringParameters":null,"pathParameters":null,
             "requestContext":{"resourcePath":"/jobs","httpMethod":"POST","stage":"prod","requestId":"priming",
                               "authorizer":{"principalId":"priming","tenant":"priming"},
                               "identity":{"sourceIp":"127.0.0.1"}},
             "body":"{\\"name\\":\\"priming\\",\\"dockerfile\\":\\"FROM scratch\\\\n\\"}","isBase64Encoded":false}
            """;
    private static final AwsCredentialsProvider THROWAWAY_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming"));

    /** Thrown by {@link #STOP_BEFORE_SENDING} where the request would go on the wire: everything before it ran. */
    static final class NotSent extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        NotSent() {
            super("priming request stopped before sending", null, false, false);
        }
    }

    /** Added to each priming request only: the clients themselves are the real ones, unchanged. */
    private static final SdkPlugin STOP_BEFORE_SENDING = config -> config.overrideConfiguration(o ->
            o.addExecutionInterceptor(new ExecutionInterceptor() {
                @Override
                public void beforeTransmission(software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context,
                                               ExecutionAttributes attributes) {
                    throw new NotSent();
                }
            }));

    private record Clients(AwsSettings.Api settings, DynamoDbClient dynamoDb, S3Client s3, SfnClient sfn) {
    }

    /** Built when the priming runs: a function makes its clients on first use, and the checkpoint is that use. */
    private final Optional<Supplier<Clients>> clients;

    private ApiPriming(Optional<Supplier<Clients>> clients) {
        this.clients = clients;
    }

    /** The JSON paths only: for a function without AWS clients. */
    public static ApiPriming jsonOnly() {
        return new ApiPriming(Optional.empty());
    }

    /** The JSON paths and one request per client. */
    public static ApiPriming withAws(AwsSettings.Api settings, DynamoDbClient dynamoDb, S3Client s3, SfnClient sfn) {
        Clients clients = new Clients(settings, dynamoDb, s3, sfn);
        return new ApiPriming(Optional.of(() -> clients));
    }

    /** The JSON paths and one request per client, the clients built (on first use) when the priming runs. */
    public static ApiPriming withAws(AwsSettings.Api settings, Supplier<ApiRuntime.Clients> clients) {
        return new ApiPriming(Optional.of(() -> {
            ApiRuntime.Clients c = clients.get();
            return new Clients(settings, c.dynamoDb(), c.s3(), c.sfn());
        }));
    }

    /**
     * Registers with the JVM's checkpoint (SnapStart's, on Lambda), once per kind and JVM. Without a checkpoint
     * (anywhere but a SnapStart function) nothing ever calls it: registering costs nothing.
     */
    static synchronized void register(ApiPriming priming) {
        String kind = priming.clients.isPresent() ? "aws" : "json";
        if (!REGISTERED.containsKey(kind)) {
            REGISTERED.put(kind, priming);
            Core.getGlobalContext().register(priming);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: priming kept no connection, credential or per-request state.
    }

    /** Runs every part once; a part that fails is logged and skipped. Ends with one line naming what was primed. */
    void prime() {
        long start = System.nanoTime();
        List<String> primed = new ArrayList<>();
        // Every invocation reads an event and writes a response: Jackson's (de)serializers for the event classes,
        // ApiRequest, the submission's JSON body, JobView (with java.time) and Problem are built on first use.
        attempt(primed, "API event and responses", ApiPriming::primeJson);
        clients.ifPresent(build -> {
            Clients c;
            try {
                c = build.get();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "SnapStart priming could not build the SDK clients; the first request will", e);
                return;
            }
            // Every job route reads the jobs table: DynamoDB's JSON marshalling, endpoint rules and SigV4 signing.
            attempt(primed, "DynamoDB request", () -> stoppedBeforeSending(() -> c.dynamoDb().getItem(b -> b
                    .tableName(c.settings().common().jobsTable())
                    .key(Map.of(JobTable.PK, AttributeValue.fromS("JOB#" + SAMPLE_JOB.value())))
                    .overrideConfiguration(ApiPriming::notSent))));
            // A submission stores its Dockerfile: S3's REST-XML marshalling, bucket endpoint rules and the
            // checksum (CRC32 trailer) of an upload, S3's own interceptors.
            attempt(primed, "S3 request", () -> stoppedBeforeSending(() -> c.s3().putObject(b -> b
                    .bucket(c.settings().common().artifactBucket())
                    .key(ArtifactKeys.dockerfile(SAMPLE_JOB))
                    .overrideConfiguration(ApiPriming::notSent), RequestBody.fromString("FROM scratch\n"))));
            // A submission starts its execution: Step Functions' marshalling and endpoint rules.
            attempt(primed, "Step Functions request", () -> stoppedBeforeSending(() -> c.sfn().startExecution(b -> b
                    .stateMachineArn(c.settings().stateMachineArn())
                    .name(SAMPLE_JOB.value())
                    .input("{\"jobId\":\"" + SAMPLE_JOB.value() + "\"}")
                    .overrideConfiguration(ApiPriming::notSent))));
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.info(() -> "SnapStart priming took " + millis + " ms: " + String.join(", ", primed));
    }

    private static void primeJson() {
        try {
            ApiRequest request = ApiHandler.readRequest(
                    new ByteArrayInputStream(SAMPLE_EVENT.getBytes(StandardCharsets.UTF_8)));
            SubmitJobCommand command = SubmitRequestParser.parse(request, request.caller().orElseThrow());
            Job job = Job.queued(SAMPLE_JOB, command.owner(), command.name(), command.description(), Instant.now());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ApiHandler.writeResponse(out, ApiHandler.toEvent(ApiResponse.json(202, ApiJson.JobView.of(job))));
            ApiHandler.writeResponse(out, ApiHandler.toEvent(
                    Problem.of(404, "job-not-found", "priming", "/jobs").toResponse()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void notSent(AwsRequestOverrideConfiguration.Builder override) {
        override.credentialsProvider(THROWAWAY_CREDENTIALS).addPlugin(STOP_BEFORE_SENDING);
    }

    /** The call must end at {@link #STOP_BEFORE_SENDING}; any other ending means the priming did not get there. */
    private static void stoppedBeforeSending(Runnable call) {
        try {
            call.run();
        } catch (NotSent expected) {
            return;
        }
        throw new IllegalStateException("the priming request was not stopped before sending");
    }

    private static void attempt(List<String> primed, String part, Runnable work) {
        try {
            work.run();
            primed.add(part);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SnapStart priming of the " + part + " failed; the first request will do it", e);
        }
    }
}
