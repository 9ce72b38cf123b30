package io.perfbox.testing.aws;

import io.perfbox.testing.Preparations;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * One LocalStack container (S3 and Step Functions) for every integration test of this JVM, started on first use.
 * The image is built locally by tools/build-localstack-image under the official name, so Testcontainers' own
 * LocalStack module runs it. {@link AwsTestClients} makes SDK clients that reach it.
 */
public final class LocalStack {
    public static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.14.0");
    private static LocalStackContainer container;

    private LocalStack() {
    }

    public static synchronized LocalStackContainer container() {
        if (container == null) {
            LocalStackContainer c = new LocalStackContainer(IMAGE).withServices("s3", "stepfunctions");
            // The module mounts the Docker socket for Lambda, which these tests do not use: a container that needs
            // no control of the engine gets none (and Testcontainers skips its mount check, which needs an image
            // it cannot pull here).
            c.setBinds(new ArrayList<>());
            awaitImage();
            try {
                c.start();
            } catch (RuntimeException e) {
                throw new IllegalStateException("LocalStack did not start; is the image built? (tools/build-localstack-image)", e);
            }
            container = c;
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop));
        }
        return container;
    }

    /** Under ./perfbox test the launcher builds {@link #IMAGE} beside Maven: waits for it (else returns at once). */
    static void awaitImage() {
        Preparations.await("localstack", Duration.ofMinutes(20));
    }

    public static URI endpoint() {
        return container().getEndpoint();
    }

    public static AwsCredentialsProvider credentials() {
        LocalStackContainer c = container();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(c.getAccessKey(), c.getSecretKey()));
    }

    public static Region region() {
        return Region.of(container().getRegion());
    }

    public static S3Client s3() {
        return AwsTestClients.configure(S3Client.builder(), endpoint(), region(), credentials()).build();
    }

    public static SfnClient sfn() {
        return AwsTestClients.configure(SfnClient.builder(), endpoint(), region(), credentials()).build();
    }

    /** A new, empty bucket with a name no other test uses. */
    public static String newBucket(S3Client s3) {
        String bucket = "perfbox-it-" + UUID.randomUUID().toString().substring(0, 18);
        s3.createBucket(b -> b.bucket(bucket));
        return bucket;
    }
}
