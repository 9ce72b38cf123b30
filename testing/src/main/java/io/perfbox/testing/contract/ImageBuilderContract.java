package io.perfbox.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Dockerfile;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every ImageBuilder adapter must do: a Dockerfile builds to an image of its job; how a build goes wrong (a
 * failing step, a Dockerfile the builder cannot read, the time limit) is an outcome, never an exception, with the
 * output it made; interrupting the waiting thread stops the build and rethrows; removing an image is harmless when
 * there is none. The Dockerfiles start {@code FROM debian:bookworm} and their {@code RUN} steps use {@code echo},
 * {@code sleep} and {@code exit} only, separated by {@code ;}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class ImageBuilderContract {
    private static final Duration ROOMY = Duration.ofMinutes(2);
    private final List<JobId> jobs = new ArrayList<>();

    protected abstract ImageBuilder builder();

    /** Whether the engine still holds the image built for the job. */
    protected abstract boolean imageExists(JobId id) throws Exception;

    private JobId job() {
        JobId id = JobId.random();
        jobs.add(id);
        return id;
    }

    @AfterEach
    void removeEveryImage() {
        jobs.forEach(builder()::remove);
    }

    @Test
    void aDockerfileBuildsToAnImageOfItsJobThatRemoveRemoves() throws Exception {
        JobId id = job();
        var outcome = builder().build(id, "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN echo building the image\nCMD echo ran\n"), ROOMY);
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.Built.class, b -> assertThat(b.imageRef()).isNotBlank());
        assertThat(outcome.log().text()).contains("building the image");
        assertThat(imageExists(id)).isTrue();
        builder().remove(id);
        assertThat(imageExists(id)).isFalse();
    }

    @Test
    void aFailingStepIsAnOutcomeWithTheOutputBeforeIt() throws Exception {
        JobId id = job();
        var outcome = builder().build(id, "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN echo before the failure\nRUN exit 3\n"), ROOMY);
        assertThat(outcome).isInstanceOf(ImageBuilder.BuildFailed.class);
        assertThat(outcome.log().text()).contains("before the failure");
        assertThat(imageExists(id)).isFalse();
    }

    @Test
    void aDockerfileTheBuilderCannotReadIsInvalid() throws Exception {
        JobId id = job();
        var outcome = builder().build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nFROBNICATE now\n"), ROOMY);
        assertThat(outcome).isInstanceOfSatisfying(ImageBuilder.InvalidDockerfile.class,
                i -> assertThat(i.reason()).isNotBlank());
    }

    @Test
    void theTimeLimitStopsTheBuild() throws Exception {
        JobId id = job();
        long start = System.nanoTime();
        var outcome = builder().build(id, "tenant-a", new Dockerfile("FROM debian:bookworm\nRUN sleep 300\n"),
                Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOf(ImageBuilder.BuildTimedOut.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(90));
        assertThat(imageExists(id)).isFalse();
    }

    @Test
    void interruptingTheWaitStopsTheBuildAndRethrows() throws Exception {
        JobId id = job();
        InterruptedStep.interruptOnce(sink -> builder().build(id, "tenant-a",
                new Dockerfile("FROM debian:bookworm\nRUN echo build started; sleep 300\n"), Duration.ofMinutes(5), sink),
                "build started", Duration.ofSeconds(90), Duration.ofSeconds(60));
        assertThat(imageExists(id)).isFalse();
    }

    @Test
    void removingAnImageThatIsNotThereIsHarmless() throws Exception {
        JobId id = job();
        builder().remove(id);
        builder().remove(id);
        assertThat(imageExists(id)).isFalse();
    }
}
