package io.perfbox.runtime.aws.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's entry to the Dockerfile policy: its exit codes and the one line of reason the buildspec reports. */
class DockerfileCheckTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(byte[] dockerfile, String... patterns) throws Exception {
        Path file = Files.write(dir.resolve("Dockerfile"), dockerfile);
        String[] args = patterns.length == 0 ? new String[] {file.toString()}
                : new String[] {"--base-images", String.join(",", patterns), file.toString()};
        return DockerfileCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int check(String dockerfile, String... patterns) throws Exception {
        return check(dockerfile.getBytes(StandardCharsets.UTF_8), patterns);
    }

    @Test
    void anAllowedBaseGoesAheadSilently() throws Exception {
        assertThat(check("FROM debian:bookworm\nRUN true\n", "debian:*")).isZero();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aRefusalIsExitOneWithThePolicysReasonOnOneLine() throws Exception {
        assertThat(check("FROM debian:bookworm\nADD http://169.254.170.2/v2/credentials/x /c\n", "debian:*")).isEqualTo(1);
        assertThat(out.toString()).startsWith("line 2: ADD of a URL").doesNotContain("\n\n").endsWith("\n");
        assertThat(out.toString().strip()).doesNotContain("\n");
    }

    @Test
    void withoutPatternsOnlyScratchAndTheFilesOwnStagesAreAllowedForTheEngineHoldsNoImage() throws Exception {
        assertThat(check("FROM debian:bookworm\n")).isEqualTo(1);
        assertThat(out.toString()).contains("is not an image in this server's engine");
        assertThat(check("FROM scratch AS a\nFROM a\n")).isZero();
    }

    @Test
    void aFileThePolicyCannotReadAsTheEngineDoesIsRefused() throws Exception {
        assertThat(check("FROM debian:bookworm\nRUN\u00a0true\n", "debian:*")).isEqualTo(1);
        assertThat(check(new byte[] {'F', 'R', 'O', 'M', ' ', (byte) 0xff, '\n'}, "debian:*")).isEqualTo(1);
        assertThat(out.toString()).contains("not UTF-8");
    }

    @Test
    void badArgumentsArePerfboxsOwnFailure() throws Exception {
        assertThat(DockerfileCheck.run(new String[0], new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(check("FROM debian\n", "bad pattern!")).isEqualTo(2);
        assertThat(DockerfileCheck.run(new String[] {dir.resolve("missing").toString()}, new PrintStream(out),
                new PrintStream(err))).isEqualTo(2);
    }
}
