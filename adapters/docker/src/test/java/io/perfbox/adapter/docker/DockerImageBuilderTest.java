package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerImageBuilderTest {
    private static final JobId ID = new JobId("3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a");
    private final DockerImageBuilder builder = new DockerImageBuilder(new DockerCli("docker"), "store0000001", 10L << 30);
    private static final String LABELS = "LABEL \"io.perfbox.job\"=\"" + ID.value() + "\" \"io.perfbox.store\"=\"store0000001\"\n";

    @Test
    void stepsCommittedByTheBuildAreTheImagesAfterARemovedStepContainerNotTheBaseNorCacheHits() {
        String log = """
                Step 1/4 : FROM debian:bookworm
                 ---> 0642a8e788dc
                Step 2/4 : RUN echo a
                 ---> Using cache
                 ---> 1111aaaa2222
                Step 3/4 : RUN echo b
                 ---> Running in 73e28023daf7
                b
                Removing intermediate container 73e28023daf7
                 ---> a3a63ae80fe6
                Step 4/4 : RUN exit 3
                 ---> Running in 0123456789ab
                Removing intermediate container 0123456789ab
                The command '/bin/sh -c exit 3' returned a non-zero code: 3
                """;
        assertThat(DockerImageBuilder.stepsCommittedBy(log)).containsExactly("a3a63ae80fe6");
    }

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

    @Test
    void theHostCpuModelIsCpuinfosFirstModelName(@TempDir Path dir)
            throws Exception {
        Path x86 = dir.resolve("x86");
        Files.writeString(x86, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
                + "\nprocessor\t: 1\nmodel name\t: other\n");
        Path none = dir.resolve("none");
        Files.writeString(none, "processor\t: 0\n");
        assertThat(DockerContainerRunner.HostCpu.modelIn(x86)).isEqualTo("Intel(R) Xeon(R) CPU @ 2.20GHz");
        assertThat(DockerContainerRunner.HostCpu.modelIn(none)).isEmpty();
        assertThat(DockerContainerRunner.HostCpu.modelIn(dir.resolve("missing"))).isEmpty();
    }
}
