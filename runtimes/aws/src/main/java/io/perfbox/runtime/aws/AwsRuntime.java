package io.perfbox.runtime.aws;

import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How every perfbox Lambda builds its SDK clients: region from AWS_REGION (through {@link AwsSettings.Common}),
 * the credentials provider the environment names ({@link #lambdaCredentials}), the url-connection HTTP client, AWS's own endpoints. Each runtime builds its
 * clients once per container, in a holder class (lazy, exactly once, thread-safe); a missing or invalid variable
 * fails that first use with {@link AwsSettings.InvalidSettingException} naming it (and every other one). The API's own wiring is {@code io.perfbox.runtime.aws.api.ApiRuntime},
 * the workflow's {@code io.perfbox.runtime.aws.workflow.WorkflowRuntime}: each deployment jar carries only its own.
 */
public final class AwsRuntime {
    private AwsRuntime() {
    }

    /**
     * The function's credentials, from where Lambda puts them ({@link AwsSettings.LambdaCredentials}, read from the
     * environment now: neither place set fails here, naming both).
     */
    public static AwsCredentialsProvider lambdaCredentials() {
        return credentials(AwsSettings.LambdaCredentials.from(System.getenv()));
    }

    /**
     * The one provider for the place named: the environment's keys, or, with SnapStart (the API functions use it),
     * the container credentials endpoint, asked after a restore (the priming signs with throwaway keys, so nothing
     * is fetched before the snapshot). Pinning the environment there would fail: it holds no keys.
     */
    public static AwsCredentialsProvider credentials(AwsSettings.LambdaCredentials source) {
        return switch (source) {
            case ENVIRONMENT -> EnvironmentVariableCredentialsProvider.create();
            case CONTAINER -> ContainerCredentialsProvider.builder().build();
        };
    }

    /**
     * Applies what every perfbox client shares: the region (AWS_REGION), the credentials and the url-connection HTTP
     * client (the lightest to start in a Lambda). No endpoint: the product always calls AWS's own for the region.
     * Other functions build their clients with it: {@code AwsRuntime.configure(EcsClient.builder(), ...).build()}.
     */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(
            B builder, AwsSettings.Common settings, AwsCredentialsProvider credentials) {
        return builder.region(settings.region())
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
    }

    public static DynamoDbClient dynamoDbClient(AwsSettings.Common settings, AwsCredentialsProvider credentials) {
        return configure(DynamoDbClient.builder(), settings, credentials).build();
    }

    public static S3Client s3Client(AwsSettings.Common settings, AwsCredentialsProvider credentials) {
        return configure(S3Client.builder(), settings, credentials).build();
    }

    /**
     * Reads a holder's value; when building it failed for a setting, throws that setting's own exception rather
     * than the JVM's ExceptionInInitializerError, so the message that names the variable comes first.
     */
    public static <T> T initialized(Supplier<T> holder) {
        try {
            return holder.get();
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof AwsSettings.InvalidSettingException invalid) {
                throw invalid;
            }
            throw e;
        }
    }
}
