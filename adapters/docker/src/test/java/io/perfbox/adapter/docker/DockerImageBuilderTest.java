package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import org.junit.jupiter.api.Test;

class DockerImageBuilderTest {
    private static final JobId ID = new JobId("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
    private final DockerImageBuilder builder = new DockerImageBuilder(new DockerCli("docker"), "store0000001", 10L << 30);
    private static final String LABELS = "LABEL \"io.perfbox.job\"=\"" + ID.value() + "\" \"io.perfbox.store\"=\"store0000001\"\n";

    @Test
    void bothLabelsAreOneInstructionAfterTheUsersLast() {
        assertThat(builder.withLabels("FROM debian:bookworm\nCMD true\n", ID))
                .isEqualTo("FROM debian:bookworm\nCMD true\n" + LABELS);
    }

    @Test
    void aLastLineWithoutLineEndIsEndedFirst() {
        assertThat(builder.withLabels("FROM debian:bookworm\r\nCMD true", ID))
                .isEqualTo("FROM debian:bookworm\r\nCMD true\n" + LABELS);
    }

    @Test
    void aLoneCarriageReturnIsNotALineEndForDocker() {
        assertThat(builder.withLabels("FROM debian:bookworm\nCMD true\r", ID))
                .isEqualTo("FROM debian:bookworm\nCMD true\r\n" + LABELS);
    }

    @Test
    void trailingCommentsAndBlankLinesDoNotMatter() {
        assertThat(builder.withLabels("FROM debian:bookworm\nCMD true\n\n# done\n", ID))
                .isEqualTo("FROM debian:bookworm\nCMD true\n\n# done\n" + LABELS);
    }

    @Test
    void aTextEndingInsideALineContinuationIsLeftAlone() {
        for (String text : new String[] {
                "FROM debian:bookworm\nCMD echo a \\\n",
                "FROM debian:bookworm\nCMD echo a \\  \n\n# a comment does not end it\n",
                "# escape=`\nFROM debian:bookworm\nCMD echo a `\n",
                "FROM debian:bookworm\nCMD echo a \\"}) {
            assertThat(builder.withLabels(text, ID)).isEqualTo(text);
        }
    }
}
