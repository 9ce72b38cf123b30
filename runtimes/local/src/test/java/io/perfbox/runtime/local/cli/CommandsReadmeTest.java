package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.JobId;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's "Commands" examples as they are written there, read from the README itself, each run against
 * perfbox's API ({@link InProcessApi}) holding the jobs they name: a job whose id starts 3f2b8c9e, jobs that failed,
 * jobs with a latency_ms metric.
 */
class CommandsReadmeTest {

    @Test
    void theCommandsSectionsExamplesRunAsWritten() throws Exception {
        List<String> commands = ReadmeSection.of("Commands").commands();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(5).allMatch(c -> c.startsWith("./perfbox "));
        try (InProcessApi api = InProcessApi.start()) {
            Instant t = Instant.now().minusSeconds(300);
            String named = "3f2b8c9e-1d4a-4c1e-9a7b-2b1c0d9e8f7a";
            api.add(named, "the one", t);
            api.output(named, "its output\n");
            api.succeed(named, 0.99, Map.of("latency_ms", 7.0));
            for (int i = 0; i < 4; i++) {
                String id = "0000000" + i + "-1d4a-4c1e-9a7b-2b1c0d9e8f7a";
                api.add(id, "other " + i, t.plusSeconds(i));
                if (i % 2 == 0) {
                    api.succeed(id, i, Map.of("latency_ms", 10.0 + i));
                } else {
                    api.fail(id, FailureCode.RUN_FAILED, "exit " + i);
                }
            }
            for (String command : commands) {
                String[] args = Arrays.copyOfRange(command.split(" "), 1, command.split(" ").length);
                CliRun r = CliRun.onTerminal(api.env(), args);
                assertThat(r.exitCode()).as(command + "\n" + r.out() + r.err()).isZero();
                if (command.contains("list --status FAILED")) {
                    assertThat(r.out()).contains("RUN_FAILED").doesNotContain("SUCCEEDED");
                } else if (command.contains("status 3f2b8c9e")) {
                    assertThat(r.out()).contains("id:          " + named).contains("performance: 0.99");
                } else if (command.contains("logs -f")) {
                    assertThat(r.out()).contains("its output").contains("job " + named + " SUCCEEDED");
                } else if (command.contains("leaderboard")) {
                    assertThat(r.out()).contains("leaderboard by latency_ms, lowest first")
                            .containsPattern("(?m)^1 +7 .*" + named);
                } else if (command.contains("delete --force")) {
                    assertThat(api.jobs.find(new JobId(named))).isEmpty();
                }
            }
        }
    }
}
