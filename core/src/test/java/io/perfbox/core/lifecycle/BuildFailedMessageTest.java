package io.perfbox.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.Failure;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.port.ImageBuilder;
import io.perfbox.core.port.JobArtifactStore.CapturedLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A build that failed at a known instruction explains itself: the line and the instruction first, then the step's
 * last lines of output quoted and escaped (they are the tenant's), then where the whole output is.
 */
class BuildFailedMessageTest {
    private static final JobId ID = new JobId("6f1c1b8e-3d7a-4f7e-9a51-2b8f0c6d4e11");

    private static String message(String reason, List<String> output) {
        Failure f = StepOutcomes.failureOf(ID, new ImageBuilder.BuildFailed(reason, CapturedLog.EMPTY,
                new ImageBuilder.FailedStep(3, output))).orElseThrow();
        assertThat(f.code()).isEqualTo(FailureCode.BUILD_FAILED);
        return f.message();
    }

    @Test
    void theMessageNamesTheLineQuotesTheOutputAndSuggestsTheLogsCommand() {
        assertThat(message("line 3: RUN exit 3: exit code: 3", List.of("hello", "line 1: FROM spoofed")))
                .isEqualTo("""
                        The image did not build: line 3: RUN exit 3: exit code: 3
                        Its last 2 lines of output:
                          | hello
                          | line 1: FROM spoofed
                        The whole build output: perfbox logs 6f1c1b8e-3d7a-4f7e-9a51-2b8f0c6d4e11""");
    }

    @Test
    void controlCharactersOfTheOutputShowAsEscapesAndCanStartNoLineOfTheirOwn() {
        String m = message("line 3: RUN x\u001b[2J: exit code: 1",
                List.of("\u001b]0;title\u0007red\u001b[31m", "a\rline 1: fake", "tab\there\u202e", "new\nline"));
        assertThat(m).doesNotContain("\u001b", "\u0007", "\r", "\u202e", "\t");
        assertThat(m).contains("RUN x\\u001b[2J: exit code: 1", "  | \\u001b]0;title\\u0007red\\u001b[31m",
                "  | a\\u000dline 1: fake", "  | tab\\u0009here\\u202e", "  | new\\u000aline");
        assertThat(m.lines().filter(l -> l.contains("line 1: fake")).toList()).allMatch(l -> l.startsWith("  | "));
        assertThat(m.lines().findFirst().orElseThrow()).startsWith("The image did not build: line 3: ");
    }

    @Test
    void hugeLinesAreCutAndAtMostTwentyLinesAreQuoted() {
        List<String> output = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            output.add(i + " " + "A".repeat(100_000));
        }
        String m = message("line 3: RUN flood: exit code: 1", output);
        List<String> quoted = m.lines().filter(l -> l.startsWith("  | ")).toList();
        assertThat(quoted).hasSize(20);
        assertThat(quoted.get(0)).startsWith("  | 31 A");
        assertThat(quoted).allMatch(l -> l.length() <= 4 + StepOutcomes.MAX_QUOTED_LINE && l.endsWith("…"));
        assertThat(m.length()).isLessThan(6000);
    }

    @Test
    void aBuildFailedWithoutAKnownStepSaysWhatItAlwaysSaid() {
        assertThat(StepOutcomes.failureOf(ID, new ImageBuilder.BuildFailed("RUN make: exit code: 2", CapturedLog.EMPTY)))
                .contains(Failure.of(FailureCode.BUILD_FAILED, "The image did not build: RUN make: exit code: 2"));
    }
}
