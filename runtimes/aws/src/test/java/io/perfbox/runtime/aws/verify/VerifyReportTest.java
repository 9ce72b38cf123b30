package io.perfbox.runtime.aws.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The markdown report: one row per scenario, the differences, and the stack's text made inert. */
class VerifyReportTest {
    private static final VerifyReport.Setting SETTING = new VerifyReport.Setting("perfbox-verify-x", "eu-west-1",
            "123456789012", Instant.parse("2026-12-07T08:00:00Z"), "0.1.0");

    private static MatrixRunner.Result result(VerifyMatrix.Scenario s, MatrixRunner.JobEnd job, List<String> differences) {
        return new MatrixRunner.Result(s, List.of(job), differences, Duration.ofSeconds(75), 1);
    }

    @Test
    void theReportHasATableRowPerScenarioAndTheDifferencesBelow() {
        VerifyMatrix.Scenario ok = VerifyMatrix.scenarios().get(1);
        VerifyMatrix.Scenario bad = VerifyMatrix.scenarios().get(3);
        String md = VerifyReport.markdown(SETTING, List.of(
                result(ok, new MatrixRunner.JobEnd("j1", "FAILED", "RUN_FAILED", "exited 7", null, Map.of()), List.of()),
                result(bad, new MatrixRunner.JobEnd("j2", "FAILED", "INTERNAL", "x", null, Map.of()),
                        List.of("failure code INTERNAL, expected BUILD_FAILED"))));
        assertThat(md).startsWith("## perfbox aws verify: 1 of 2 scenarios as the local runtime answers\n");
        assertThat(md).contains("| scenario | expected (local runtime) | got on AWS | time | verdict |",
                "| non-zero-exit | FAILED / RUN\\_FAILED, message mentions \"7\" | FAILED / RUN\\_FAILED | 1 min 15 s | as expected |",
                "| failed-build | FAILED / BUILD\\_FAILED | FAILED / INTERNAL | 1 min 15 s | **differs** |",
                "### Differences", "- failure code INTERNAL, expected BUILD\\_FAILED", "LocalRuntimeIT.java#buildFailureEndsBuildFailed",
                "-c perfbox:fargateVcpus=2".substring(3));
        assertThat(md).as("the account is not published whole").contains("…9012").doesNotContain("123456789012");
    }

    @Test
    void aJobsMessageCannotBreakTheTableNorReachTheTerminalAsControlCharacters() {
        VerifyMatrix.Scenario s = VerifyMatrix.scenarios().get(1);
        String hostile = "x | y\n| forged | row |\u001b]0;title\u0007\u202e<img src=x>`code`";
        String md = VerifyReport.markdown(SETTING, List.of(result(s,
                new MatrixRunner.JobEnd("j1", "FAILED", "RUN_FAILED", hostile, null, Map.of()), List.of("message: " + hostile))));
        assertThat(md).doesNotContain("\u001b", "\u0007", "\u202e", " <img", "\n| forged");
        assertThat(md).contains("x \\| y\\u000A\\| forged \\| row \\|\\u001B\\]0;title\\u0007\\u202E\\<img src=x\\>\\`code\\`");
        for (String line : md.split("\n")) {
            if (line.startsWith("| ")) {
                assertThat(line.split("(?<!\\\\)\\|", -1)).as(line).hasSize(7);
            }
        }
    }
}
