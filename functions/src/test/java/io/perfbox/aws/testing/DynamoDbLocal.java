package io.perfbox.aws.testing;

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

/**
 * DynamoDB Local in this JVM, in memory, on a free loopback port: the real DynamoDB wire protocol for the job store
 * (LocalStack's DynamoDB would need a download this machine cannot make). Its SQLite engine needs a native library,
 * which Maven put beside DynamoDB Local's own jar in the local repository.
 */
public final class DynamoDbLocal implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final URI endpoint;

    private DynamoDbLocal(DynamoDBProxyServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    public static synchronized DynamoDbLocal start() {
        try {
            pointSqliteAtItsNativeLibrary();
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(new String[] {
                    "-port", Integer.toString(port), "-inMemory", "-sharedDb", "-disableTelemetry"});
            server.start();
            return new DynamoDbLocal(server, URI.create("http://127.0.0.1:" + port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    private static void pointSqliteAtItsNativeLibrary() throws Exception {
        if (System.getProperty("sqlite4java.library.path") != null) {
            return;
        }
        String platform = "linux-" + ("x86_64".equals(System.getProperty("os.arch")) ? "amd64" : System.getProperty("os.arch"));
        // <repo>/com/amazonaws/DynamoDBLocal/<v>/DynamoDBLocal-<v>.jar → <repo>/com/almworks/sqlite4java/libsqlite4java-<platform>/<v>/
        Path jar = Path.of(ServerRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path natives = jar.getParent().getParent().getParent().getParent().getParent()
                .resolve("com/almworks/sqlite4java/libsqlite4java-" + platform);
        Path library = null;
        if (Files.isDirectory(natives)) {
            try (var versions = Files.list(natives)) {
                for (Path version : versions.toList()) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(version, "libsqlite4java-" + platform + "*.so")) {
                        for (Path f : files) {
                            library = f;
                        }
                    }
                }
            }
        }
        if (library == null) {
            throw new IllegalStateException("the native SQLite library of DynamoDB Local is not under " + natives);
        }
        // sqlite4java looks for exactly "libsqlite4java-<platform>.so" in one directory.
        Path dir = Files.createTempDirectory("perfbox-sqlite4java");
        Files.copy(library, dir.resolve("libsqlite4java-" + platform + ".so"), StandardCopyOption.REPLACE_EXISTING);
        System.setProperty("sqlite4java.library.path", dir.toString());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping a server that is going away with the test JVM anyway
        }
    }
}
