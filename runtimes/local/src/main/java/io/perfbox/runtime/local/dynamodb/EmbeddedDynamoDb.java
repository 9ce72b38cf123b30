package io.perfbox.runtime.local.dynamodb;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local inside the perfbox JVM, persisted on disk: the local runtime runs the same DynamoDB store code as
 * AWS. Its client calls DynamoDB Local in process, with no HTTP server: a request costs a couple of milliseconds
 * instead of the tens an HTTP round trip, request signing and DynamoDB Local's web server cost, and no port is
 * open. Its SQLite engine needs a native library, found next to DynamoDB Local's jar (the launcher's lib
 * directory) or in the local Maven repository.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {
    private static final String NATIVE_PROPERTY = "sqlite4java.library.path";
    /** The file DynamoDB Local's server mode used with -sharedDb: data dirs written by either mode stay readable. */
    static final String DATABASE_FILE = "shared-local-instance.db";

    private final AmazonDynamoDBLocal local;
    private final DynamoDbClient client;

    private EmbeddedDynamoDb(AmazonDynamoDBLocal local, DynamoDbClient client) {
        this.local = local;
        this.client = client;
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
            Optional<Path> file = dbDir.isPresent()
                    ? Optional.of(Files.createDirectories(dbDir.get()).resolve(DATABASE_FILE))
                    : Optional.empty();
            // true: telemetry off (it would try to reach the network).
            AmazonDynamoDBLocal local = DynamoDBEmbedded.create(file.map(Path::toFile).orElse(null), true);
            return new EmbeddedDynamoDb(local, local.dynamoDbClient());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    public DynamoDbClient client() {
        return client;
    }

    /**
     * For code that runs DynamoDB Local in another form in this JVM (its server, for a benchmark): points sqlite4java
     * at its native library as {@link #start} does.
     */
    public static synchronized void prepareNativeLibrary() {
        try {
            ensureNativeLibrary(Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points sqlite4java at a directory holding its native library, unless the caller already did. */
    private static void ensureNativeLibrary(Optional<Path> copyTarget) throws IOException {
        if (System.getProperty(NATIVE_PROPERTY) != null) {
            return;
        }
        Path jar;
        try {
            jar = Path.of(DynamoDBEmbedded.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
            local.shutdown();
        } catch (RuntimeException e) {
            // stopping a database that is going away anyway: nothing to recover
        }
    }
}
