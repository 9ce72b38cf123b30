package io.perfbox.runtime.aws.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.aws.AwsRuntime;
import io.perfbox.runtime.aws.AwsSettings;
import io.perfbox.runtime.aws.testing.ApiGatewayEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * An API function builds its SDK clients on first use, not when Lambda constructs it (issue 22): its settings are
 * read and checked at construction (a misconfigured function still fails at its start), and the clients and use
 * cases are built by the first request, or, with SnapStart, by the priming at the checkpoint, once.
 */
class LazyApiTest {
    private ServerSocket aws;
    private final AtomicInteger clientsBuilt = new AtomicInteger();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AwsSettings.Api settings = new AwsSettings.Api(
            new AwsSettings.Common(Region.EU_WEST_1, "perfbox-jobs", "perfbox-artifacts"),
            "arn:aws:states:eu-west-1:123456789012:stateMachine:perfbox-jobs");
    private ApiRuntime.LazyApi lazy;

    @BeforeEach
    void clientsThatCountTheirBuilding() throws IOException {
        aws = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!aws.isClosed()) {
                try (Socket accepted = aws.accept()) {
                    accepted.getInputStream().read();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        URI endpoint = URI.create("http://127.0.0.1:" + aws.getLocalPort());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIATEST", "secret"));
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                sent.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        };
        lazy = ApiRuntime.lazyApi(settings, Optional.empty(), () -> {
            clientsBuilt.incrementAndGet();
            return new ApiRuntime.Clients(
                    AwsRuntime.configure(DynamoDbClient.builder(), settings.common(), credentials).endpointOverride(endpoint)
                            .overrideConfiguration(o -> o.addExecutionInterceptor(recorder).retryStrategy(r -> r.maxAttempts(1)))
                            .build(),
                    AwsRuntime.configure(S3Client.builder(), settings.common(), credentials).endpointOverride(endpoint)
                            .forcePathStyle(true).overrideConfiguration(o -> o.addExecutionInterceptor(recorder)).build(),
                    AwsRuntime.configure(SfnClient.builder(), settings.common(), credentials).endpointOverride(endpoint)
                            .overrideConfiguration(o -> o.addExecutionInterceptor(recorder)).build(),
                    Optional.empty());
        });
    }

    @AfterEach
    void close() throws IOException {
        aws.close();
    }

    private static String invoke(ApiHandler function, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFunctionBuildsNoSdkClientUntilItsFirstRequestAndThenOnce() throws Exception {
        ApiHandler function = new ApiHandler(lazy);
        assertThat(clientsBuilt).as("clients built by the construction").hasValue(0);

        String id = "3f2b4a6c-1d2e-4f3a-8b9c-0d1e2f3a4b5c";
        invoke(function, ApiGatewayEvents.onJob("GET", id, "tenant-1"));
        invoke(function, ApiGatewayEvents.onJob("GET", id, "tenant-1"));

        assertThat(clientsBuilt).as("clients built by two requests").hasValue(1);
        assertThat(sent).as("the requests reached DynamoDB's client").contains("GetItem");
    }

    @Test
    void withSnapStartThePrimingBuildsThemBeforeTheSnapshot() throws Exception {
        ApiPriming priming = ApiPriming.withAws(settings, lazy::clients);
        assertThat(clientsBuilt).hasValue(0);

        priming.beforeCheckpoint(null);

        assertThat(clientsBuilt).hasValue(1);
        assertThat(sent).as("marshalled and signed, then stopped before sending")
                .containsExactly("GetItem", "PutObject", "StartExecution");
        lazy.get();
        assertThat(clientsBuilt).as("the first request after the restore builds nothing more").hasValue(1);
    }
}
