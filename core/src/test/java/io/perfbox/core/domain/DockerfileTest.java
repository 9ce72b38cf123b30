package io.perfbox.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerfileTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "FROM debian:bookworm\nCMD true",
            "from debian:bookworm",
            "# syntax=docker/dockerfile:1\n\n# a comment\nFROM debian:bookworm",
            "ARG BASE=debian:bookworm\nFROM ${BASE}",
            "  FROM   debian:bookworm AS build\r\nRUN true"})
    void acceptsDockerfilesThatStartWithFrom(String text) {
        assertThatCode(() -> new Dockerfile(text)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n\n", "RUN echo hi\nFROM debian", "# only a comment", "FROM", "CMD true"})
    void rejectsDockerfilesWithoutALeadingFrom(String text) {
        assertThatThrownBy(() -> new Dockerfile(text)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void limitIsSixtyFourKibOfUtf8Bytes() {
        String head = "FROM debian:bookworm\n#";
        String exact = head + "x".repeat(Dockerfile.MAX_BYTES - head.length());
        assertThatCode(() -> new Dockerfile(exact)).doesNotThrowAnyException();
        String multiByte = head + "\u00e9".repeat((Dockerfile.MAX_BYTES - head.length()) / 2 + 1);
        assertThatThrownBy(() -> new Dockerfile(multiByte)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.kind()).isEqualTo(InvalidInputException.Kind.TOO_LARGE));
    }

    @Test
    void invalidUtf8IsRejectedAndABomDropped() {
        assertThatThrownBy(() -> Dockerfile.fromUtf8(new byte[] {'F', 'R', 'O', 'M', ' ', 'a', (byte) 0xC0}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("UTF-8");
        byte[] bom = "\uFEFFFROM debian:bookworm\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Dockerfile.fromUtf8(bom).text()).startsWith("FROM");
    }

    @Test
    void nulByteIsRejected() {
        assertThatThrownBy(() -> new Dockerfile("FROM debian\0")).isInstanceOf(InvalidInputException.class);
    }
}
