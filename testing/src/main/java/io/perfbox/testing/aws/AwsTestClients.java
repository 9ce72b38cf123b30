package io.perfbox.testing.aws;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * SDK clients for the tests, pointed at an emulator (LocalStack, moto) by an endpoint override. Only tests override
 * endpoints: the product's clients always take AWS's own endpoints for their region.
 */
public final class AwsTestClients {
    private AwsTestClients() {
    }

    public static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, URI endpoint, Region region,
                                                                  AwsCredentialsProvider credentials) {
        builder.endpointOverride(endpoint).region(region).credentialsProvider(credentials);
        if (builder instanceof AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(UrlConnectionHttpClient.builder());
        }
        return builder;
    }
}
