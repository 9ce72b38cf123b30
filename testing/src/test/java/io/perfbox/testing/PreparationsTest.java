package io.perfbox.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparationsTest {
    @TempDir
    Path dir;

    @Test
    void aPreparationTheLauncherDidNotStartIsNotWaitedFor() {
        Preparations.await(dir, "trivy", Duration.ofMillis(1));
    }

    @Test
    void aTestWaitsUntilThePreparationHasWrittenItsExitCode() throws Exception {
        Files.writeString(dir.resolve("trivy.log"), "go: downloading ...\n");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(
                () -> Preparations.await(dir, "trivy", Duration.ofMinutes(1)));
        Thread.sleep(700);
        assertThat(waiting).isNotDone();
        Files.writeString(dir.resolve("trivy.rc"), "0\n");
        waiting.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailedPreparationFailsTheTestWithItsExitCodeAndTheEndOfItsLog() throws Exception {
        Files.writeString(dir.resolve("localstack.log"), "step 1\npip: no matching distribution for localstack\n");
        Files.writeString(dir.resolve("localstack.rc"), "1\n");
        assertThatThrownBy(() -> Preparations.await(dir, "localstack", Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'localstack' failed (exit 1)")
                .hasMessageContaining("no matching distribution");
    }

    @Test
    void aPreparationThatDoesNotFinishInTimeFailsWithItsLogSoFar() throws Exception {
        Files.writeString(dir.resolve("trivy.log"), "go build ...\n");
        assertThatThrownBy(() -> Preparations.await(dir, "trivy", Duration.ofMillis(600)))
                .hasMessageContaining("did not finish").hasMessageContaining("go build ...");
    }
}
