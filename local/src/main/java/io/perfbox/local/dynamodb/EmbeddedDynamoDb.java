package io.perfbox.local.dynamodb;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local inside the perfbox JVM, persisted on disk, on a free loopback port: the local runtime runs the
 * same DynamoDB store code as AWS. Its SQLite engine needs a native library, found next to DynamoDB Local's jar
 * (the launcher's lib directory) or in the local Maven repository.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {
    private static final String NATIVE_PROPERTY = "sqlite4java.library.path";

    private final DynamoDBProxyServer server;
    private final DynamoDbClient client;
    private final int port;

    private EmbeddedDynamoDb(DynamoDBProxyServer server, DynamoDbClient client, int port) {
        this.server = server;
        this.client = client;
        this.port = port;
    }

    /** Starts on disk under {@code dbDir}. */
    public static EmbeddedDynamoDb start(Path dbDir) {
        return start(Optional.of(dbDir));
    }

    /** Starts in memory (tests). */
    public static EmbeddedDynamoDb startInMemory() {
        return start(Optional.empty());
    }

    private static synchronized EmbeddedDynamoDb start(Optional<Path> dbDir) {
        try {
            ensureNativeLibrary(dbDir.map(d -> d.resolve("native")));
            int port = freePort();
            String[] args = dbDir.isPresent()
                    ? new String[] {"-port", Integer.toString(port), "-dbPath", Files.createDirectories(dbDir.get()).toString(),
                            "-sharedDb", "-disableTelemetry"}
                    : new String[] {"-port", Integer.toString(port), "-inMemory", "-sharedDb", "-disableTelemetry"};
            DynamoDBProxyServer server;
            // DynamoDB Local prints its configuration banner on stdout, which is the user's terminal: keep it quiet.
            java.io.PrintStream stdout = System.out;
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                server = ServerRunner.createServerFromCommandLineArgs(args);
                server.start();
            } finally {
                System.setOut(stdout);
            }
            DynamoDbClient client = DynamoDbClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:" + port))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
            return new EmbeddedDynamoDb(server, client, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    public DynamoDbClient client() {
        return client;
    }

    public int port() {
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Points sqlite4java at a directory holding its native library, unless the caller already did. */
    private static void ensureNativeLibrary(Optional<Path> copyTarget) throws IOException {
        if (System.getProperty(NATIVE_PROPERTY) != null) {
            return;
        }
        Path jar;
        try {
            jar = Path.of(ServerRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell where DynamoDB Local's jar is", e);
        }
        Path beside = jar.getParent();
        Optional<Path> lib = findLibrary(beside);
        if (lib.isEmpty()) {
            // In a Maven repository: <repo>/com/amazonaws/DynamoDBLocal/<v>/DynamoDBLocal-<v>.jar
            Path repo = beside.getParent().getParent().getParent().getParent();
            Path natives = repo.resolve("com/almworks/sqlite4java/libsqlite4java-" + platform());
            if (Files.isDirectory(natives)) {
                try (DirectoryStream<Path> versions = Files.newDirectoryStream(natives)) {
                    for (Path v : versions) {
                        lib = findLibrary(v);
                        if (lib.isPresent()) {
                            break;
                        }
                    }
                }
            }
        }
        if (lib.isEmpty()) {
            throw new IllegalStateException("the native SQLite library of DynamoDB Local (libsqlite4java-" + platform()
                    + "*.so) was not found beside " + jar + "; rebuild with ./perfbox (mvn package copies it)");
        }
        // sqlite4java looks for "libsqlite4java-<platform>.so" (or with its version) in one directory: give it one.
        Path dir = copyTarget.orElse(Files.createTempDirectory("perfbox-sqlite4java"));
        Files.createDirectories(dir);
        Files.copy(lib.get(), dir.resolve("libsqlite4java-" + platform() + ".so"), StandardCopyOption.REPLACE_EXISTING);
        System.setProperty(NATIVE_PROPERTY, dir.toString());
    }

    private static Optional<Path> findLibrary(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "libsqlite4java-" + platform() + "*.so")) {
            for (Path f : files) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static String platform() {
        String arch = System.getProperty("os.arch");
        return "linux-" + (arch.equals("x86_64") ? "amd64" : arch);
    }

    @Override
    public void close() {
        client.close();
        try {
            server.stop();
        } catch (Exception e) {
            // stopping a server that is going away anyway: nothing to recover
        }
    }
}
