package io.perfbox.runtime.aws.api;

import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.api.PerfboxApi;
import io.perfbox.core.application.JobService;
import io.perfbox.testing.fakes.InMemoryDockerfileStore;
import io.perfbox.testing.fakes.InMemoryJobArtifactStore;
import io.perfbox.testing.fakes.RecordingPipelineLauncher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A submit function's first request, run by {@link FirstRequestTest} in a class loader of its own: the raw event
 * through the stream entry Lambda calls, the job written by the real {@link DynamoDbJobStore} through a real SDK
 * client (marshalled and signed), Dockerfile and pipeline in memory. DynamoDB's answer to the write is its
 * documented success answer to TransactWriteItems without ReturnConsumedCapacity or ReturnItemCollectionMetrics: an
 * empty object (API reference, TransactWriteItems, "Response Syntax": every element is returned only when asked for).
 */
public final class FirstRequestProbe {
    private FirstRequestProbe() {
    }

    /** The proxy response the function wrote, as text. */
    public static String submit(String rawEvent) throws Exception {
        DynamoDbClient dynamoDb = DynamoDbClient.builder().region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("probe", "probe")))
                .httpClient(new EmptyObjectAnswers()).build();
        JobService jobs = new JobService(new DynamoDbJobStore(dynamoDb, "perfbox-jobs"), new InMemoryDockerfileStore(),
                new InMemoryJobArtifactStore(), new RecordingPipelineLauncher(), Clock.systemUTC());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ApiHandler(new PerfboxApi(jobs)).handleRequest(
                new ByteArrayInputStream(rawEvent.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Answers every request 200 with {}, DynamoDB's JSON content type. */
    private static final class EmptyObjectAnswers implements SdkHttpClient {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .headers(Map.of("Content-Type", List.of("application/x-amz-json-1.0"))).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

}
