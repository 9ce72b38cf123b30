package io.perfbox.runtime.aws.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.docker.DockerfileSyntax;
import org.junit.jupiter.api.Test;

class PullThroughCacheTest {
    private static final String CACHE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub";

    private static String rewrite(String dockerfile) {
        return PullThroughCache.rewrite(dockerfile, DockerfileSyntax.parse(dockerfile), CACHE);
    }

    @Test
    void officialAndUserImagesGoUnderTheCachePrefixWithTheirFlagsAndStageNamesKept() {
        assertThat(rewrite("FROM --platform=linux/amd64 debian:bookworm AS base\nFROM base\nfrom team/tool:1@sha256:"
                + "a".repeat(64) + "\nFROM scratch\n")).isEqualTo("FROM --platform=linux/amd64 " + CACHE
                + "/library/debian:bookworm AS base\nFROM base\nfrom " + CACHE + "/team/tool:1@sha256:" + "a".repeat(64)
                + "\nFROM scratch\n");
    }

    @Test
    void whatItCannotRewriteForCertainIsLeftAsWritten() {
        String dockerfile = "ARG IMG=debian:bookworm\nFROM $IMG\nFROM \\\n  debian:bookworm\nFROM registry.example/team/img\n"
                + "FROM debian:bookworm\nCOPY --from=alpine:3 /x /x\n";
        assertThat(rewrite(dockerfile)).isEqualTo("ARG IMG=debian:bookworm\nFROM $IMG\nFROM \\\n  debian:bookworm\n"
                + "FROM registry.example/team/img\nFROM " + CACHE + "/library/debian:bookworm\nCOPY --from=alpine:3 /x /x\n");
    }

    @Test
    void crlfLinesKeepTheirEndings() {
        assertThat(rewrite("FROM debian:bookworm\r\nRUN true\r\n")).isEqualTo("FROM " + CACHE + "/library/debian:bookworm\r\nRUN true\r\n");
    }
}
