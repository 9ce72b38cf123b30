package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ContainerRunner;
import io.perfbox.core.port.ContainerRunner.RunLimits;
import io.perfbox.core.port.JobWorkspace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every ContainerRunner adapter must do: report how the run ended (its exit code and output), hold the time
 * limit, stop the run when the waiting thread is interrupted, leave what the run wrote to /data in the job's
 * workspace (where a link it planted is not followed), and remove what is left of a run harmlessly. Subclasses give
 * the runner, the workspace it mounts at /data, and an image whose command is a POSIX shell command line; the
 * commands here use {@code echo}, {@code sleep}, {@code exit}, {@code ln -s} and {@code >} only, separated by
 * {@code ;}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class ContainerRunnerContract {
    private final List<JobId> jobs = new ArrayList<>();

    protected abstract ContainerRunner runner();

    /** The workspace the runner mounts at the job's /data. */
    protected abstract JobWorkspace workspace();

    /** An image, for the job, whose command is {@code command} run by a shell. */
    protected abstract String imageRunning(JobId id, String command) throws Exception;

    /** Whether anything of the job's run is still running. */
    protected abstract boolean stillRunning(JobId id) throws Exception;

    protected static RunLimits limits(Duration timeout) {
        return new RunLimits(64L * 1024 * 1024, 1.0, 64, timeout);
    }

    private JobId job() {
        JobId id = JobId.random();
        jobs.add(id);
        workspace().prepare(id);
        return id;
    }

    @AfterEach
    void removeEveryRun() {
        for (JobId id : jobs) {
            runner().remove(id);
            workspace().discard(id);
        }
    }

    @Test
    void theExitCodeAndTheOutputAreReported() throws Exception {
        JobId id = job();
        var outcome = runner().run(id, imageRunning(id, "echo hello from the job; exit 3"), limits(Duration.ofMinutes(1)));
        assertThat(outcome).isInstanceOfSatisfying(ContainerRunner.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(3));
        assertThat(outcome.log().text()).contains("hello from the job");
        assertThat(outcome.log().truncated()).isFalse();
    }

    @Test
    void aRunThatEndsWellExitsZero() throws Exception {
        JobId id = job();
        var outcome = runner().run(id, imageRunning(id, "echo done"), limits(Duration.ofMinutes(1)));
        assertThat(outcome).isInstanceOfSatisfying(ContainerRunner.Exited.class, e -> assertThat(e.exitCode()).isZero());
    }

    @Test
    void whatTheRunWroteToDataIsInTheWorkspaceAfterIt() throws Exception {
        JobId id = job();
        var outcome = runner().run(id, imageRunning(id, "echo '{\"perf\":0.5}' > /data/perf.json"),
                limits(Duration.ofMinutes(1)));
        assertThat(outcome).isInstanceOf(ContainerRunner.Exited.class);
        assertThat(workspace().readResult(id, 1024)).isInstanceOfSatisfying(JobWorkspace.Content.class,
                c -> assertThat(new String(c.bytes(), StandardCharsets.UTF_8).strip()).isEqualTo("{\"perf\":0.5}"));
    }

    @Test
    void aResultTheRunLinkedOutOfDataIsNotFollowed() throws Exception {
        JobId id = job();
        var outcome = runner().run(id, imageRunning(id, "ln -s /etc/hostname /data/perf.json"), limits(Duration.ofMinutes(1)));
        assertThat(outcome).isInstanceOf(ContainerRunner.Exited.class);
        assertThat(workspace().readResult(id, 1024)).isInstanceOf(JobWorkspace.NotRegularFile.class);
    }

    @Test
    void theTimeLimitStopsTheRun() throws Exception {
        JobId id = job();
        String image = imageRunning(id, "echo waiting; sleep 300");
        long start = System.nanoTime();
        var outcome = runner().run(id, image, limits(Duration.ofSeconds(3)));
        assertThat(outcome).isInstanceOfSatisfying(ContainerRunner.TimedOut.class,
                t -> assertThat(t.after()).isEqualTo(Duration.ofSeconds(3)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        runner().remove(id);
        assertThat(stillRunning(id)).isFalse();
    }

    @Test
    void interruptingTheWaitStopsTheRunAndRethrows() throws Exception {
        JobId id = job();
        String image = imageRunning(id, "echo run started; sleep 300");
        InterruptedStep.interruptOnce(sink -> runner().run(id, image, limits(Duration.ofMinutes(5)), sink), "run started",
                Duration.ofSeconds(60), Duration.ofSeconds(30));
        assertThat(stillRunning(id)).isFalse();
    }

    @Test
    void removingTwiceOrARunThatNeverWasIsHarmless() throws Exception {
        JobId id = job();
        runner().run(id, imageRunning(id, "echo done"), limits(Duration.ofMinutes(1)));
        runner().remove(id);
        runner().remove(id);
        runner().remove(JobId.random());
        assertThat(stillRunning(id)).isFalse();
    }

}
