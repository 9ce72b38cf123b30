package io.perfbox.runtime.local.e2e;

import io.perfbox.testing.RepositoryRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code perfbox serve} in a JVM of its own, as a user starts it: so a test can kill it (SIGKILL, a crash)
 * or stop it (SIGTERM) and start it again on the same data directory.
 */
public final class PerfboxProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("perfbox listening on (https?://\\S+:\\d+)");

    private final Process process;
    private final String baseUrl;
    private final Path dataDir;

    private PerfboxProcess(Process process, String baseUrl, Path dataDir) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.dataDir = dataDir;
    }

    /** Starts a server on a free port with the given data dir and extra serve options; waits until it listens. */
    public static PerfboxProcess start(Path dataDir, String... options) throws IOException, InterruptedException {
        return start(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), dataDir, options);
    }

    /** As {@link #start}, with these environment variables set for the server (e.g. HOME, PATH). */
    public static PerfboxProcess start(Path dataDir, Map<String, String> env, String... options)
            throws IOException, InterruptedException {
        return start(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), env, dataDir, options);
    }

    /**
     * As {@link #start}, with the JVM options ./perfbox gives {@code serve} (runtimes/local/serve.jvm-options: its
     * bounded heap among them), for tests of what the server survives as users run it.
     */
    public static PerfboxProcess startAsLaunched(Path dataDir, String... options) throws IOException, InterruptedException {
        List<String> jvm = Files.readAllLines(RepositoryRoot.path().resolve("runtimes/local/serve.jvm-options"))
                .stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        return start(jvm, dataDir, options);
    }

    private static PerfboxProcess start(List<String> jvmOptions, Path dataDir, String... options)
            throws IOException, InterruptedException {
        return start(jvmOptions, Map.of(), dataDir, options);
    }

    private static PerfboxProcess start(List<String> jvmOptions, Map<String, String> env, Path dataDir,
            String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                "io.perfbox.runtime.local.cli.PerfboxCli", "serve", "--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(options));
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
        Files.createDirectories(dataDir.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IllegalStateException("perfbox serve exited before listening; see " + log));
        });
        try {
            return new PerfboxProcess(p, url.get(120, TimeUnit.SECONDS), dataDir);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("perfbox serve did not start: " + e.getMessage() + "; log: "
                    + (Files.exists(log) ? Files.readString(log) : "(none)"), e);
        }
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    /** A crash: SIGKILL, no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A normal stop: SIGTERM, the shutdown hook runs. */
    public void stop(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                stop(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
