package io.perfbox.testing.aws;

import io.perfbox.testing.PythonTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * moto in server mode, for the DynamoDB tests: one server per JVM, started on first use on a free loopback port and
 * stopped when the JVM exits. moto is a Python package (Apache 2.0), so it lives in a virtualenv of its own, made
 * once per machine at {@code ~/.cache/perfbox/moto-venv-<version>} from PyPI and reused after that.
 */
public final class Moto {
    /** Pinned: the tests hold the adapter to moto's behaviour, which changes between releases. */
    public static final String VERSION = "5.2.5";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Region REGION = Region.US_EAST_1;
    /** moto accepts any credentials; the SDK only needs some to sign with. */
    private static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    private static URI endpoint;

    private Moto() {
    }

    /** The running server's endpoint (http://127.0.0.1:port), starting it (and installing moto) on first use. */
    public static synchronized URI endpoint() {
        if (endpoint == null) {
            endpoint = start(virtualenv());
        }
        return endpoint;
    }

    public static Region region() {
        return REGION;
    }

    public static AwsCredentialsProvider credentials() {
        return CREDENTIALS;
    }

    public static DynamoDbClient dynamoDb() {
        return AwsTestClients.configure(DynamoDbClient.builder(), endpoint(), REGION, CREDENTIALS).build();
    }

    private static final PythonTool TOOL = new PythonTool("moto", VERSION, "moto[server]==" + VERSION);

    /** Where this machine keeps moto's virtualenv. */
    public static Path virtualenvPath() {
        return TOOL.virtualenvPath();
    }

    static Path virtualenv() {
        return TOOL.install();
    }

    /** python3 on the given PATH; a clear IllegalStateException when there is none. */
    static String python3(String path) {
        return PythonTool.python3(path, "moto (the DynamoDB emulator of the tests)");
    }

    private static URI start(Path venv) {
        int port = freePort();
        URI uri = URI.create("http://127.0.0.1:" + port);
        Process server;
        Path log;
        try {
            log = Files.createTempFile("perfbox-moto-server", ".log");
            log.toFile().deleteOnExit();
            // The module moto_server's script runs, through the venv's interpreter (its #! line would name a temporary dir).
            server = new ProcessBuilder(TOOL.python().toString(), "-m", "moto.server", "-H", "127.0.0.1",
                    "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start moto_server from " + venv, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "moto-stop"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers(uri)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + server.exitValue() + ": " + PythonTool.tail(log));
            }
            if (System.nanoTime() > deadline) {
                stop(server);
                throw new IllegalStateException("moto_server did not answer at " + uri + " within "
                        + START_TIMEOUT.toSeconds() + " s: " + PythonTool.tail(log));
            }
            sleep(100);
        }
        return uri;
    }

    private static boolean answers(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.resolve("/moto-api/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() > 0;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(Process server) {
        server.destroy();
        try {
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ---- helpers ----

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for moto_server", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for moto_server", e);
        }
    }

}
