package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process of its own, as a shell runs it (its exit status, a real SIGINT), against perfbox's API in
 * this JVM ({@link InProcessApi}): {@code submit --wait} and {@code logs -f} exit with how the job ended, 0
 * SUCCEEDED, 1 FAILED, 5 CANCELLED; Ctrl-C while waiting says the job goes on, leaves it so, and exits 130.
 */
class CliProcessTest {
    private static final Pattern SUBMITTED = Pattern.compile("submitted job ([0-9a-f-]{36})");

    private InProcessApi api;
    private Path dockerfile;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        api = InProcessApi.start();
        dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** A CLI process; {@code onLine} sees each stdout line as it comes. */
    private record Run(Process process, CompletableFuture<String> out, CompletableFuture<String> err) {
        int exit() throws Exception {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the CLI ended").isTrue();
            return process.exitValue();
        }
    }

    private Run cli(Consumer<String> onLine, String... args) throws Exception {
        // With SIGINT at its default, as a terminal's shell starts a command: this JVM may have been started with it
        // ignored (a background job of a script, such as a CI run with `&`), which its children would inherit, and a
        // JVM started so installs no handler for it. env execs the CLI in its own place, so its pid is the CLI's.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                PerfboxCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("PERFBOX_"));
        pb.environment().putAll(api.env());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = new CompletableFuture<>();
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.append(line).append('\n');
                    onLine.accept(line);
                }
            } catch (Exception e) {
                all.append(e);
            }
            out.complete(all.toString());
        });
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                err.complete(e.toString());
            }
        });
        return new Run(p, out, err);
    }

    /** Runs {@code submit --wait}; once it printed its job's id, {@code end} is done to the job. */
    private Run submitWaitAndThen(Consumer<String> end) throws Exception {
        return cli(line -> {
            Matcher m = SUBMITTED.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> end.accept(m.group(1)));
            }
        }, "submit", dockerfile.toString(), "--wait");
    }

    @Test
    void submitWaitExitsZeroOneOrFiveAsTheJobEndedAndEndsWithItsStatusLine() throws Exception {
        Run ok = submitWaitAndThen(id -> api.succeed(id, 900.0, Map.of()));
        assertThat(ok.exit()).as(ok.err().get()).isZero();
        assertThat(ok.out().get().strip()).containsPattern("performance: 900\\n")
                .containsPattern("job [0-9a-f-]{36} SUCCEEDED in 4\\.6 s: performance 900$");

        Run failed = submitWaitAndThen(id -> api.fail(id, FailureCode.RUN_FAILED, "exit 4"));
        assertThat(failed.exit()).as(failed.err().get()).isEqualTo(1);
        assertThat(failed.out().get().strip()).containsPattern("job [0-9a-f-]{36} FAILED \\(RUN_FAILED\\) after 2\\.1 s$");

        Run cancelled = submitWaitAndThen(id -> api.cancel(id));
        assertThat(cancelled.exit()).as(cancelled.err().get()).isEqualTo(5);
        assertThat(cancelled.out().get().strip()).containsPattern("job [0-9a-f-]{36} CANCELLED after [0-9.]+ s$");
    }

    @Test
    void ctrlCDuringSubmitWaitSaysTheJobGoesOnAndExits130() throws Exception {
        CompletableFuture<String> id = new CompletableFuture<>();
        Run waiting = submitWaitAndThen(id::complete);
        String job = id.get(60, TimeUnit.SECONDS);
        Thread.sleep(1000); // well into the waiting
        interrupt(waiting.process());
        assertThat(waiting.exit()).isEqualTo(130);
        assertThat(waiting.err().get()).contains("stopped waiting; job " + job + " goes on (it is not cancelled)")
                .contains("perfbox logs -f " + job).contains("perfbox cancel " + job);
        assertThat(api.job(job).status()).as("the job goes on").isEqualTo(JobStatus.QUEUED);
        assertThat(api.launcher.stopped()).doesNotContain(new JobId(job));
    }

    @Test
    void ctrlCDuringLogsFollowSaysTheJobGoesOnAndExits130AndItsEndIsItsExitCode() throws Exception {
        String job = "0f0f0f0f-1d4a-4c1e-9a7b-2b1c0d9e8f7a";
        api.add(job, null, Instant.now());
        api.throughStages(job);
        api.output(job, "first line\n");
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Run following = cli(line -> seen.complete(null), "logs", "-f", "0f0f0f");
        seen.get(60, TimeUnit.SECONDS);
        interrupt(following.process());
        assertThat(following.exit()).isEqualTo(130);
        assertThat(following.out().get()).isEqualTo("first line\n");
        assertThat(following.err().get()).contains("job " + job + " goes on");
        assertThat(api.job(job).status()).isEqualTo(JobStatus.RUNNING);

        api.cancel(job);
        Run ended = cli(line -> { }, "logs", "-f", "0f0f0f");
        assertThat(ended.exit()).isEqualTo(5);
        assertThat(ended.err().get()).contains("job " + job + " CANCELLED").doesNotContain("goes on");
    }

    /** What Ctrl-C sends the terminal's foreground process. */
    private static void interrupt(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
    }
}
