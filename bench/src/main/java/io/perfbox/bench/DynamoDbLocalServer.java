package io.perfbox.bench;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.perfbox.runtime.local.dynamodb.EmbeddedDynamoDb;
import java.net.ServerSocket;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local as a server in memory, for a benchmark whose other JVM must reach the database over the network
 * (perfbox serve embeds it without a port). Lives only as long as the benchmark.
 */
final class DynamoDbLocalServer implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final int port;
    private final DynamoDbClient client;

    private DynamoDbLocalServer(DynamoDBProxyServer server, int port, DynamoDbClient client) {
        this.server = server;
        this.port = port;
        this.client = client;
    }

    static DynamoDbLocalServer start() throws Exception {
        EmbeddedDynamoDb.prepareNativeLibrary();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-port", Integer.toString(port), "-inMemory", "-sharedDb", "-disableTelemetry"});
        server.start();
        DynamoDbClient client = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        return new DynamoDbLocalServer(server, port, client);
    }

    int port() {
        return port;
    }

    DynamoDbClient client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.stop();
    }
}
