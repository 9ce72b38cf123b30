package io.perfbox.testing.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
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

    /** Where this machine keeps moto's virtualenv. */
    public static Path virtualenvPath() {
        return Path.of(System.getProperty("user.home"), ".cache", "perfbox", "moto-venv-" + VERSION);
    }

    // ---- install ----

    /**
     * The virtualenv, made if missing. Built in a temporary directory beside it and renamed into place, so a
     * half-made one (an install cut short, two JVMs at once) is never taken for a finished one.
     */
    static Path virtualenv() {
        Path venv = virtualenvPath();
        if (Files.isExecutable(python(venv))) {
            return venv;
        }
        String python3 = python3(System.getenv("PATH"));
        try {
            Files.createDirectories(venv.getParent());
            Path building = Files.createTempDirectory(venv.getParent(), venv.getFileName() + ".building-");
            try {
                run(List.of(python3, "-m", "venv", building.toString()), "python3 -m venv");
                // pip through the venv's python, not bin/pip: the scripts' #! lines name the temporary directory.
                run(List.of(python(building).toString(), "-m", "pip", "install", "--disable-pip-version-check",
                        "--quiet", "moto[server]==" + VERSION), "pip install moto[server]==" + VERSION);
                try {
                    Files.move(building, venv, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                    // Another JVM finished first: use its virtualenv.
                }
            } finally {
                deleteTree(building);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not make moto's virtualenv at " + venv, e);
        }
        return venv;
    }

    /** The venv's interpreter. It finds its venv from its own location, so it keeps working after the rename. */
    private static Path python(Path venv) {
        return venv.resolve("bin").resolve("python");
    }

    private static void run(List<String> command, String what) throws IOException {
        Path log = Files.createTempFile("perfbox-moto-install", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + INSTALL_TIMEOUT.toMinutes()
                        + " minutes; output: " + tail(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    // ---- run ----

    private static URI start(Path venv) {
        int port = freePort();
        URI uri = URI.create("http://127.0.0.1:" + port);
        Process server;
        Path log;
        try {
            log = Files.createTempFile("perfbox-moto-server", ".log");
            log.toFile().deleteOnExit();
            // The module moto_server's script runs, through the venv's interpreter (see python(venv)).
            server = new ProcessBuilder(python(venv).toString(), "-m", "moto.server", "-H", "127.0.0.1",
                    "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start moto_server from " + venv, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "moto-stop"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers(uri)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + server.exitValue() + ": " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                stop(server);
                throw new IllegalStateException("moto_server did not answer at " + uri + " within "
                        + START_TIMEOUT.toSeconds() + " s: " + tail(log));
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
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for moto_server", e);
        }
    }

    /** python3 on the given PATH; a clear IllegalStateException when there is none. */
    static String python3(String path) {
        return findOnPath("python3", path).orElseThrow(() -> new IllegalStateException(
                "moto (the DynamoDB emulator of the tests) needs python3 on the PATH to install it; none was found. "
                        + "Install Python 3 (e.g. apt-get install python3 python3-venv) and run the tests again."));
    }

    private static Optional<String> findOnPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name).toString());
            }
        }
        return Optional.empty();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
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

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
