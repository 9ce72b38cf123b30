package io.perfbox.testing.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * A LocalStack container of its own (Step Functions only) whose engine reads a Step Functions Local mock
 * configuration ({@code SFN_MOCK_CONFIG}): an execution started as {@code stateMachineArn#TestCase} takes the
 * mocked responses of that test case instead of calling the services. A test may rewrite the file between
 * executions; the engine reads it when an execution starts. Separate from {@link LocalStack}, whose
 * tests never see a mock.
 */
public final class MockedStepFunctions {
    private static final String CONFIG_IN_CONTAINER = "/etc/perfbox-sfn/mock-config.json";
    private static MockedStepFunctions instance;

    private final LocalStackContainer container;
    private long lastModifiedSecond;

    private MockedStepFunctions(LocalStackContainer container) {
        this.container = container;
    }

    public static synchronized MockedStepFunctions start() {
        if (instance == null) {
            LocalStackContainer c = new LocalStackContainer(LocalStack.IMAGE).withServices("stepfunctions")
                    .withEnv("SFN_MOCK_CONFIG", CONFIG_IN_CONTAINER)
                    .withCopyToContainer(Transferable.of("{\"StateMachines\":{},\"MockedResponses\":{}}"),
                            CONFIG_IN_CONTAINER);
            // No Docker socket: the engine calls no service for a mocked state (see LocalStack). The file is
            // copied in rather than bound: a bind would make Testcontainers check mounts with an image it cannot
            // pull here.
            c.setBinds(new ArrayList<>());
            LocalStack.awaitImage();
            try {
                c.start();
            } catch (RuntimeException e) {
                throw new IllegalStateException("LocalStack did not start; is the image built? "
                        + "(tools/build-localstack-image)", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop));
            instance = new MockedStepFunctions(c);
        }
        return instance;
    }

    public SfnClient sfn() {
        return AwsTestClients.configure(SfnClient.builder(), URI.create(container.getEndpoint().toString()),
                region(), StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(container.getAccessKey(), container.getSecretKey()))).build();
    }

    public Region region() {
        return Region.of(container.getRegion());
    }

    /** LocalStack's default account, the one its ARNs name. */
    public String account() {
        return "000000000000";
    }

    /**
     * Replaces the mock configuration. LocalStack caches the parsed file by its modification time in whole
     * seconds, so each write gets a modification second of its own (a later one), or a rewrite within the same
     * second would go unseen.
     */
    public synchronized void writeConfig(String json) {
        container.copyFileToContainer(Transferable.of(json.getBytes(StandardCharsets.UTF_8), 0644), CONFIG_IN_CONTAINER);
        lastModifiedSecond = Math.max(lastModifiedSecond + 1, Instant.now().getEpochSecond());
        try {
            var touched = container.execInContainer("touch", "-d", "@" + lastModifiedSecond, CONFIG_IN_CONTAINER);
            if (touched.getExitCode() != 0) {
                throw new IllegalStateException("could not set the mock configuration's time: " + touched.getStderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
