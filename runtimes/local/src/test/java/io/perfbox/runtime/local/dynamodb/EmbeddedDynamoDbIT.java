package io.perfbox.runtime.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import io.perfbox.adapter.aws.dynamodb.DynamoDbJobStore;
import io.perfbox.adapter.aws.dynamodb.JobTable;
import io.perfbox.core.domain.Job;
import io.perfbox.core.domain.JobId;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDynamoDbIT {

    @Test
    void jobsSurviveAStopAndAStartOnTheSameDirectory(@TempDir Path dir) {
        Job job = Job.queued(JobId.random(), "me", "n", null, Instant.parse("2026-01-01T00:00:00.123456789Z"));
        try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dir)) {
            JobTable.createIfMissing(db.client(), "jobs");
            new DynamoDbJobStore(db.client(), "jobs").create(job, Optional.empty());
        }
        assertThat(Files.exists(dir)).isTrue();
        try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dir)) {
            JobTable.createIfMissing(db.client(), "jobs");
            assertThat(new DynamoDbJobStore(db.client(), "jobs").find(job.id())).contains(job);
        }
    }

    @Test
    void aDataDirectoryWrittenByDynamoDbLocalsServerModeIsRead(@TempDir Path dir) throws Exception {
        // Made by perfbox before the client went in process: DynamoDB Local's server with -sharedDb -dbPath.
        Job job = Job.queued(JobId.random(), "me", "n", null, Instant.parse("2026-01-01T00:00:00Z"));
        String[] args = {"-port", Integer.toString(freePort()), "-dbPath", dir.toString(), "-sharedDb", "-disableTelemetry"};
        try (EmbeddedDynamoDb forTheNativeLibrary = EmbeddedDynamoDb.startInMemory()) {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args);
            server.start();
            try (DynamoDbClient http = DynamoDbClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:" + args[1]))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build()) {
                JobTable.createIfMissing(http, "jobs");
                new DynamoDbJobStore(http, "jobs").create(job, Optional.empty());
            } finally {
                server.stop();
            }
        }
        try (EmbeddedDynamoDb db = EmbeddedDynamoDb.start(dir)) {
            JobTable.createIfMissing(db.client(), "jobs");
            assertThat(new DynamoDbJobStore(db.client(), "jobs").find(job.id())).contains(job);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void twoDirectoriesAreTwoSeparateDatabases(@TempDir Path a, @TempDir Path b) {
        Job job = Job.queued(JobId.random(), "me", null, null, Instant.now());
        try (EmbeddedDynamoDb first = EmbeddedDynamoDb.start(a); EmbeddedDynamoDb second = EmbeddedDynamoDb.start(b)) {
            JobTable.createIfMissing(first.client(), "jobs");
            JobTable.createIfMissing(second.client(), "jobs");
            new DynamoDbJobStore(first.client(), "jobs").create(job, Optional.empty());
            assertThat(new DynamoDbJobStore(second.client(), "jobs").find(job.id())).isEmpty();
            assertThat(a.resolve(EmbeddedDynamoDb.DATABASE_FILE)).isRegularFile();
            assertThat(b.resolve(EmbeddedDynamoDb.DATABASE_FILE)).isRegularFile();
        }
    }
}
