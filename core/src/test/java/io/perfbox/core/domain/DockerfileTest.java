package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerfileTest {
    private static final String HEAD = "FROM debian:bookworm\n# ";

    private static ThrowingConsumer<InvalidInputException> reason(String reason) {
        return e -> assertThat(e.reason()).isEqualTo(reason);
    }

    /** A valid Dockerfile of exactly {@code bytes} UTF-8 bytes, padded with two-byte characters. */
    private static String dockerfileOfBytes(int bytes) {
        int padding = bytes - HEAD.length();
        String text = HEAD + "\u00e9".repeat(padding / 2) + "x".repeat(padding % 2);
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        assertThat(text.length()).isLessThan(bytes);
        return text;
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "\n\n", " \t\r\n "})
    void emptyOrBlankIsRejected(String text) {
        assertThatThrownBy(() -> new Dockerfile(text))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("empty-dockerfile"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"# only a comment", "ARG BASE=debian:bookworm", "# syntax=docker/dockerfile:1\n\n"})
    void dockerfileWithoutFromIsRejected(String text) {
        assertThatThrownBy(() -> new Dockerfile(text))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("invalid-dockerfile"))
                .hasMessageContaining("no FROM");
    }

    @Test
    void instructionBeforeFromIsRejectedNamingIt() {
        assertThatThrownBy(() -> new Dockerfile("RUN echo hi\nFROM debian:bookworm"))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("invalid-dockerfile"))
                .hasMessageContaining("found RUN first");
    }

    @ParameterizedTest
    @ValueSource(strings = {"FROM", "FROM   ", "from\nRUN true", "ARG X=1\nFROM\t"})
    void fromWithoutImageIsRejected(String text) {
        assertThatThrownBy(() -> new Dockerfile(text))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("invalid-dockerfile"))
                .hasMessageContaining("FROM needs an image");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ARG BASE=debian:bookworm\nFROM ${BASE}",
            "ARG A=1\nARG B=2\nFROM debian:bookworm"})
    void argBeforeFromIsAccepted(String text) {
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\n\n# build the benchmark\n   \n\tFROM debian:bookworm",
            "ARG BASE=\\\n    debian:bookworm\nFROM ${BASE}",
            "ARG A=1 \\\n  B=2 \\\n  C=3\r\n\r\nFROM debian:bookworm AS bench\r\nRUN true"})
    void commentsBlankLinesAndContinuationsBeforeFromAreAccepted(String text) {
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ARG A=1 \\\n# the second argument\n  B=2\nFROM debian:bookworm",
            "ARG A=1 \\\n\n  B=2\nFROM debian:bookworm"})
    void commentOrBlankLineInsideAContinuationDoesNotEndIt(String text) {
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"from debian:bookworm", "From debian:bookworm", "  fRoM debian:bookworm AS x"})
    void fromIsCaseInsensitive(String text) {
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
    }

    @Test
    void parserDirectivesBeforeFromAreAccepted() {
        String text = "# syntax=docker/dockerfile:1\n# escape=\\\n# check=skip=all\nFROM debian:bookworm\n";
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
    }

    @Test
    void exactlySixtyFourKibOfUtf8BytesIsAccepted() {
        String text = dockerfileOfBytes(Dockerfile.MAX_BYTES);
        assertThat(new Dockerfile(text).text()).isEqualTo(text);
        assertThat(Dockerfile.fromUtf8(text.getBytes(StandardCharsets.UTF_8)).text()).isEqualTo(text);
    }

    @Test
    void oneByteOverSixtyFourKibIsTooLargeEvenWithFewerCharacters() {
        String text = dockerfileOfBytes(Dockerfile.MAX_BYTES + 1);
        assertThatThrownBy(() -> new Dockerfile(text))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.TOO_LARGE);
                    assertThat(e.reason()).isEqualTo("dockerfile-too-large");
                })
                .hasMessageContaining("65537 bytes").hasMessageContaining("64 KiB");
        assertThatThrownBy(() -> Dockerfile.fromUtf8(text.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.TOO_LARGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "c0af", "e282", "eda080", "ff", "f4908080"})
    void invalidUtf8IsRejected(String badHex) {
        byte[] bad = HexFormat.of().parseHex(badHex);
        byte[] head = "FROM debian:bookworm\n# ".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(head, head.length + bad.length);
        System.arraycopy(bad, 0, bytes, head.length, bad.length);
        assertThatThrownBy(() -> Dockerfile.fromUtf8(bytes))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("not-utf8"))
                .hasMessage("The Dockerfile is not valid UTF-8 text");
    }

    @Test
    void leadingByteOrderMarkIsDropped() {
        byte[] withBom = "\uFEFFFROM debian:bookworm\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Dockerfile.fromUtf8(withBom).text()).isEqualTo("FROM debian:bookworm\n");
    }

    @Test
    void nulIsRejected() {
        assertThatThrownBy(() -> new Dockerfile("FROM debian:bookworm\nRUN echo \0"))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("dockerfile-not-text"));
        assertThatThrownBy(() -> Dockerfile.fromUtf8(new byte[] {'F', 'R', 'O', 'M', ' ', 'x', 0}))
                .isInstanceOfSatisfying(InvalidInputException.class, reason("dockerfile-not-text"));
    }
}
