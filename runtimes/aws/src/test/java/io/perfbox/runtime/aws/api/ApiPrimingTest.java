package io.perfbox.runtime.aws.api;



import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perfbox.api.ApiOperation;
import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.testing.crac.Core;
import io.perfbox.runtime.aws.testing.crac.Resource;
import io.perfbox.testing.logging.CapturedLogLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * SnapStart priming: the checkpoint (org.crac, as on Lambda, through {@link io.perfbox.runtime.aws.testing.crac}) runs it,
 * and it marshals and signs one request per client without a connection or the function's credentials.
 */
class ApiPrimingTest {
    /** Every connection made to "AWS", accepted and closed at once. */
    private ServerSocket aws;
    private final AtomicInteger connections = new AtomicInteger();
    /** Every time a client asked for the function's credentials. */
    private final AtomicInteger credentialLookups = new AtomicInteger();
    /** "operation Authorization-header" of each request the clients marshalled and signed. */
    private final List<String> marshalled = new CopyOnWriteArrayList<>();

    private AwsSettings.Api settings;
    private DynamoDbClient dynamoDb;
    private S3Client s3;
    private SfnClient sfn;

    @BeforeEach
    void clientsAimedAtACountingSocket() throws IOException {
        aws = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!aws.isClosed()) {
                try {
                    Socket accepted = aws.accept();
                    connections.incrementAndGet();
                    accepted.close();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        URI endpoint = URI.create("http://127.0.0.1:" + aws.getLocalPort());
        settings = new AwsSettings.Api(new AwsSettings.Common(Region.EU_WEST_1, "perfbox-jobs", "perfbox-artifacts"),
                "arn:aws:states:eu-west-1:123456789012:stateMachine:perfbox-jobs");
        AwsCredentialsProvider functionCredentials = () -> {
            credentialLookups.incrementAndGet();
            return AwsBasicCredentials.create("AKIAFUNCTIONROLE", "secret");
        };
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                marshalled.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " "
                        + context.httpRequest().firstMatchingHeader("Authorization").orElse("unsigned"));
            }
        };
        dynamoDb = AwsRuntime.configure(DynamoDbClient.builder(), settings.common(), functionCredentials)
                .endpointOverride(endpoint).overrideConfiguration(o -> o.addExecutionInterceptor(recorder)).build();
        s3 = AwsRuntime.configure(S3Client.builder(), settings.common(), functionCredentials)
                .endpointOverride(endpoint)
                .forcePathStyle(true).overrideConfiguration(o -> o.addExecutionInterceptor(recorder)).build();
        sfn = AwsRuntime.configure(SfnClient.builder(), settings.common(), functionCredentials)
                .endpointOverride(endpoint)
                .overrideConfiguration(o -> o.addExecutionInterceptor(recorder)).build();
    }

    @AfterEach
    void close() throws IOException {
        aws.close();
        dynamoDb.close();
        s3.close();
        sfn.close();
    }

    @Test
    void primingMarshalsAndSignsARequestPerClientWithoutConnectingOrAskingForCredentials() throws Exception {
        try (CapturedLogLines logs = new CapturedLogLines()) {
            ApiPriming.withAws(settings, dynamoDb, s3, sfn).beforeCheckpoint(null);

            assertThat(logs.json()).as("no part failed: one line, naming every part").singleElement().satisfies(line -> {
                assertThat(line.path("level").asText()).isEqualTo("INFO");
                assertThat(line.path("message").asText()).startsWith("SnapStart priming took ").endsWith(
                        "ms: API event and responses, DynamoDB request, S3 request, Step Functions request");
            });
        }
        assertThat(marshalled).hasSize(3);
        assertThat(marshalled).extracting(m -> m.split(" ")[0]).containsExactly("GetItem", "PutObject", "StartExecution");
        assertThat(marshalled).allSatisfy(m -> assertThat(m).contains("Credential=priming/"));
        Thread.sleep(200); // a connection the clients had opened would have been accepted by now
        assertThat(connections).as("connections to AWS").hasValue(0);
        assertThat(credentialLookups).as("lookups of the function's credentials").hasValue(0);
    }

    /** The counters above can see a real call: the same clients, asked to send, connect and sign as the function. */
    @Test
    void aRequestSentForRealIsSeenByTheCounters() throws Exception {
        assertThatThrownBy(() -> dynamoDb.getItem(b -> b.tableName("perfbox-jobs")
                .key(Map.of("pk", AttributeValue.fromS("JOB#x")))))
                .isInstanceOf(SdkClientException.class);

        assertThat(connections.get()).isPositive();
        assertThat(credentialLookups.get()).isPositive();
        assertThat(marshalled).first().asString().contains("Credential=AKIAFUNCTIONROLE/");
    }

    @Test
    void primingWithoutClientsPrimesTheJsonPathsAndTouchesNoClient() throws Exception {
        try (CapturedLogLines logs = new CapturedLogLines()) {
            ApiPriming.jsonOnly().beforeCheckpoint(null);

            assertThat(logs.json()).singleElement().satisfies(line -> assertThat(line.path("message").asText())
                    .endsWith("ms: API event and responses"));
        }
        assertThat(marshalled).isEmpty();
        assertThat(connections).hasValue(0);
    }

    /** As the API function's no-argument constructors do it (through ApiRuntime), and as SnapStart runs it. */
    @Test
    void registeredPrimingRunsAtTheCheckpoint() throws Exception {
        ApiPriming priming = ApiPriming.withAws(settings, dynamoDb, s3, sfn);
        int before = Core.registered().size();

        ApiPriming.register(priming);
        ApiPriming.register(ApiPriming.withAws(settings, dynamoDb, s3, sfn));

        List<Resource> registered = Core.registered();
        assertThat(registered).as("registered once per JVM").hasSize(before + 1);
        assertThat(registered.get(registered.size() - 1).toString()).contains(ApiPriming.class.getName());

        Core.checkpointRestore();

        assertThat(marshalled).extracting(m -> m.split(" ")[0]).contains("GetItem", "PutObject", "StartExecution");
        assertThat(connections).hasValue(0);
    }

    @Test
    void openApiFunctionRegistersTheJsonPriming() {
        new ApiHandler(Map.of(AwsSettings.API_OPERATION, ApiOperation.GET_OPENAPI.name()));

        assertThat(Core.registered())
                .anySatisfy(r -> assertThat(r.toString()).contains(ApiPriming.class.getName()));
    }
}
