package io.perfbox.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server in a JVM of its own (as users run it), so its memory can be read and the load comes from outside. */
final class ChildJvm implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (https?://127\\.0\\.0\\.1:\\d+)");
    final Process process;
    final String url;

    private final List<Double> rssSamples = Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process, String url) {
        this.process = process;
        this.url = url;
        // RSS over the child's life, not just at the moments the benchmarks look.
        Thread.ofVirtual().start(() -> {
            while (process.isAlive()) {
                try {
                    rssSamples.add(rssMiB()[0]);
                    Thread.sleep(250);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Resident memory sampled every 250 ms since the start, in MiB. */
    List<Double> rssSamples() {
        synchronized (rssSamples) {
            return List.copyOf(rssSamples);
        }
    }

    /** The flags ./perfbox starts the server with. */
    static final List<String> FLAGS = flags();

    /** The JVM options of ./perfbox serve (runtimes/local/serve.jvm-options), or PERFBOX_BENCH_JVM_OPTIONS to try others. */
    private static List<String> flags() {
        String override = System.getenv("PERFBOX_BENCH_JVM_OPTIONS");
        if (override != null && !override.isBlank()) {
            return List.of(override.strip().split("\\s+"));
        }
        try {
            Path file = Bench.repositoryRoot().resolve("runtimes/local/serve.jvm-options");
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChildJvm start(String mainClass, List<String> args) throws Exception {
        return start(mainClass, args, System.getProperty("java.class.path"));
    }

    static ChildJvm start(String mainClass, List<String> args, String classpath) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-cp", classpath, mainClass));
        cmd.addAll(args);
        Path log = Files.createTempFile("perfbox-bench-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardOpenOption.APPEND);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            String said;
            try {
                said = String.join("\n", Files.readAllLines(log).reversed().stream().limit(5).toList().reversed());
            } catch (IOException e) {
                said = "";
            }
            url.completeExceptionally(new IllegalStateException(mainClass.substring(mainClass.lastIndexOf('.') + 1)
                    + " exited before listening (is the Docker engine up?); its last words, full log in " + log + ":\n" + said));
        });
        try {
            return new ChildJvm(p, url.get(120, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            p.destroyForcibly();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Resident memory now and at its peak, in MiB, from /proc. */
    double[] rssMiB() throws IOException {
        double rss = 0;
        double hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            } else if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return new double[] {rss, hwm};
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
