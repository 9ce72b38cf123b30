package io.perfbox.runtime.aws.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command's options, help and refusals; nothing here reaches AWS (bad input stops before it). */
class AwsCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AwsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpDocumentsEveryScenarioWithItsDockerfileAndExpectedOutcome() {
        Run help = run("verify", "--help");
        assertThat(help.code()).isZero();
        for (VerifyMatrix.Scenario s : VerifyMatrix.scenarios()) {
            assertThat(help.out()).contains(s.name(), s.idea(), VerifyReport.expectedSummary(s));
        }
        assertThat(help.out()).contains("FAILED / RUN_FAILED", "FAILED / VULNERABLE", "FAILED / BUILD_FAILED",
                "FAILED / RUN_TIMEOUT", "CANCELLED", "FAILED / INVALID_DOCKERFILE", "169.254.169.254",
                "--stack NAME", "--keep", "-c perfbox:fargateVcpus=2");
        assertThat(run("verify", "-h").out()).isEqualTo(help.out());
    }

    @Test
    void anUnknownOptionIsExitCode2NamingIt() {
        Run r = run("verify", "--kep");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown option '--kep'", "perfbox aws verify --help");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownSubcommandIsExitCode2() {
        Run r = run("verfy");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'verfy'", "verify");
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("--help").code()).isZero();
    }

    @Test
    void aStackNameVerifyMayNotDestroyOrCloudFormationRefusesIsExitCode2() {
        for (String bad : List.of("Perfbox", "perfbox-verify-", "perfbox-verify-a_b", "perfbox-verify-" + "x".repeat(54),
                "perfbox-verify-a b", "perfbox-verify-\u001b[2J")) {
            Run r = run("verify", "--stack", bad);
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains("bad stack name").doesNotContain("\u001b");
        }
        assertThat(run("verify", "--stack").err()).contains("--stack needs a value");
        assertThat(run("verify", "--report", "--keep").code()).isEqualTo(2);
    }

    @Test
    void aGoodStackNameIsTakenAndAGeneratedOneIsUniqueAndValid() {
        var fixed = AwsCommand.parse(List.of("--stack", "perfbox-verify-mine", "--keep"), Clock.systemUTC()).orElseThrow();
        assertThat(fixed.stack()).isEqualTo("perfbox-verify-mine");
        assertThat(fixed.keep()).isTrue();
        assertThat(fixed.generatedName()).isFalse();
        Clock clock = Clock.fixed(Instant.parse("2026-12-07T08:30:05Z"), ZoneOffset.UTC);
        var a = AwsCommand.parse(List.of(), clock).orElseThrow();
        var b = AwsCommand.parse(List.of(), clock).orElseThrow();
        assertThat(a.stack()).startsWith("perfbox-verify-20261207-083005-").isNotEqualTo(b.stack());
        assertThat(a.keep()).isFalse();
        // What the name must be valid for: the parser's own rule, and the state machine's name the stack derives.
        assertThat(AwsCommand.parse(List.of("--stack", a.stack()), clock)).isPresent();
        assertThat(a.stack() + "-JobWorkflow").matches("[A-Za-z0-9_-]{1,80}");
        assertThatThrownBy(() -> AwsCommand.parse(List.of("--stack", "x"), clock)).hasMessageContaining("perfbox-verify-");
    }

    @Test
    void thePreflightNamesEachServiceMissingOrRefusedAndGoesOnOnlyWhenAllAnswered() {
        var ok = new AwsAccount.Probe("S3", true, "");
        assertThat(AwsCommand.preflightStop("eu-west-1", List.of(ok))).isEmpty();
        String stop = AwsCommand.preflightStop("eu-west-1", List.of(ok,
                new AwsAccount.Probe("Lambda", false, "answered HTTP 501: Service 'lambda' is not enabled."),
                new AwsAccount.Probe("ECS", false, "answered HTTP 403: AccessDenied \u001b[2J"),
                new AwsAccount.Probe("EFS", false, "Unable to execute HTTP request: Connection refused"))).orElseThrow();
        assertThat(stop).startsWith("before deploying: 3 services the stack needs did not answer in eu-west-1:")
                .contains("\n  missing: Lambda (answered HTTP 501", "\n  refused: ECS (answered HTTP 403: AccessDenied \\u001B[2J; check your profile",
                        "\n  missing: EFS (Unable to execute HTTP request: Connection refused)", "\n  answered: S3")
                .doesNotContain("\u001b");
    }
}
