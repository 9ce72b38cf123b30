package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.runtime.local.LocalConfig;
import io.perfbox.testing.RepositoryRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user meets it before any server: help, version, typos, exit codes, completion; and the README agrees. */
class PerfboxCliTest {
    private static final List<String> COMMANDS = List.of("serve", "submit", "status", "logs", "scan", "list",
            "leaderboard", "cancel", "delete", "keys", "completion", "help");
    private static final List<String> CLIENT_COMMANDS = List.of("submit", "status", "logs", "scan", "list", "leaderboard",
            "cancel", "delete");

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        CliRun help = CliRun.of(Map.of(), "help");
        assertThat(help.exitCode()).isZero();
        for (String command : COMMANDS) {
            assertThat(help.out()).containsPattern("(?m)^\\s+" + command + "\\s");
        }
        for (ExitCode code : ExitCode.values()) {
            assertThat(help.out()).containsPattern("(?m)^\\s+" + code.code + "\\s+" + Pattern.quote(code.meaning.replace("`", "'").substring(0, 20)));
        }
        assertThat(CliRun.of(Map.of()).out()).as("no command: the same help").isEqualTo(help.out());
        assertThat(CliRun.of(Map.of(), "--help").out()).isEqualTo(help.out());
    }

    @Test
    void serveHelpNamesEveryServeOptionWithItsEnvironmentVariable() {
        for (CliRun help : List.of(CliRun.of(Map.of(), "serve", "--help"), CliRun.of(Map.of(), "help", "serve"))) {
            assertThat(help.exitCode()).isZero();
            for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
                assertThat(help.out()).contains("--" + s.name()).contains(s.envName());
            }
        }
    }

    @Test
    void eachCommandHasItsOwnHelp() {
        CliRun submit = CliRun.of(Map.of(), "submit", "--help");
        assertThat(submit.exitCode()).isZero();
        assertThat(submit.out()).contains("Usage: perfbox submit").contains("--wait", "--timeout", "--idempotency-key",
                "--name", "--description", "-o", "-q", "--url", "PERFBOX_URL", "--api-key", "PERFBOX_API_KEY", "--cacert",
                "--fingerprint");
        assertThat(CliRun.of(Map.of(), "list", "--help").out()).contains("Usage: perfbox list").contains("--status", "--limit");
        CliRun create = CliRun.of(Map.of(), "keys", "create", "--help");
        assertThat(create.out()).contains("Usage: perfbox keys create").contains("--tenant=NAME", "--data-dir");
        assertThat(CliRun.of(Map.of(), "help", "keys").out()).contains("create", "list", "revoke");
    }

    @Test
    void versionIsTheProjectVersion() throws Exception {
        String pom = Files.readString(RepositoryRoot.path().resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>perfbox-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).isTrue();
        CliRun version = CliRun.of(Map.of(), "--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out().strip()).isEqualTo("perfbox " + m.group(1));
    }

    @Test
    void aMistypedCommandOrOptionIsExitTwoWithASuggestion() {
        CliRun command = CliRun.of(Map.of(), "sumbit", "Dockerfile");
        assertThat(command.exitCode()).isEqualTo(2);
        assertThat(command.err()).contains("sumbit").contains("submit");

        CliRun option = CliRun.of(Map.of(), "submit", "Dockerfile", "--wiat");
        assertThat(option.exitCode()).isEqualTo(2);
        assertThat(option.err()).contains("--wiat").contains("--wait").contains("perfbox submit --help");

        CliRun serveOption = CliRun.of(Map.of(), "serve", "--run-timout", "5m");
        assertThat(serveOption.exitCode()).isEqualTo(2);
        assertThat(serveOption.err()).contains("--run-timeout");
    }

    @Test
    void aMistypedCommandSuggestsTheNearestOne() {
        for (String[] typo : List.of(new String[] {"leaderbord", "leaderboard"}, new String[] {"stauts", "status"},
                new String[] {"lsit", "list"}, new String[] {"delte", "delete"}, new String[] {"cancle", "cancel"},
                new String[] {"sacn", "scan"})) {
            CliRun r = CliRun.of(Map.of(), typo[0]);
            assertThat(r.exitCode()).as(typo[0]).isEqualTo(2);
            assertThat(r.err()).as(typo[0]).containsIgnoringCase("did you mean").contains(typo[1]);
        }
    }

    @Test
    void helpHasAnExamplesSectionWhoseCommandsParse() {
        List<String> helps = new ArrayList<>();
        helps.add(CliRun.of(Map.of(), "--help").out());
        for (String command : CLIENT_COMMANDS) {
            helps.add(CliRun.of(Map.of(), command, "--help").out());
        }
        for (String help : helps) {
            assertThat(help).contains("Examples:");
            List<String> examples = help.lines().dropWhile(l -> !l.equals("Examples:")).skip(1)
                    .takeWhile(l -> l.startsWith("  ")).filter(l -> l.startsWith("  perfbox ")).toList();
            assertThat(examples).as(help).isNotEmpty();
            for (String example : examples) {
                // The command is what comes before the explanation (two spaces or more) or a shell redirection.
                String command = example.strip().split(" {2,}| [<>] ")[0];
                List<String> words = List.of(command.split(" ")).subList(1, command.split(" ").length);
                var cli = new PerfboxCli(System.out, System.err, System.in, Map.of(), false).commandLine();
                assertThat(cli.parseArgs(words.toArray(String[]::new)).hasSubcommand()).as(command).isTrue();
            }
        }
    }

    @Test
    void badValuesAreExitTwoAndSayWhy() {
        CliRun format = CliRun.of(Map.of(), "list", "-o", "yaml");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("yaml").contains("JSON").contains("TABLE");

        CliRun timeout = CliRun.of(Map.of(), "submit", "Dockerfile", "--wait", "--timeout", "soon");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("not a duration");

        CliRun timeoutAlone = CliRun.of(Map.of(), "submit", "Dockerfile", "--timeout", "5m");
        assertThat(timeoutAlone.exitCode()).isEqualTo(2);
        assertThat(timeoutAlone.err()).contains("--timeout goes with --wait");

        for (String runs : List.of("0", "11")) {
            CliRun outOfRange = CliRun.of(Map.of(), "submit", "Dockerfile", "--runs", runs);
            assertThat(outOfRange.exitCode()).isEqualTo(2);
            assertThat(outOfRange.err()).contains("--runs must be a whole number from 1 to 10, not " + runs);
        }
        CliRun notANumber = CliRun.of(Map.of(), "submit", "Dockerfile", "--runs", "three");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("three");

        CliRun missingFile = CliRun.of(Map.of("PERFBOX_URL", "http://127.0.0.1:9"), "submit", "/no/such/Dockerfile");
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.err()).contains("no such file");

        CliRun serveValue = CliRun.of(Map.of("HOME", "/tmp"), "serve", "--log-format", "xml");
        assertThat(serveValue.exitCode()).isEqualTo(2);
        assertThat(serveValue.err()).contains("auto, json or text");

        CliRun keys = CliRun.of(Map.of(), "keys");
        assertThat(keys.exitCode()).isEqualTo(2);
        assertThat(keys.err()).contains("create, list or revoke");
    }

    @Test
    void theReadmesServeOptionsTableNamesEveryOption() throws Exception {
        String readme = Files.readString(RepositoryRoot.path().resolve("README.md"));
        for (LocalConfig.Setting s : LocalConfig.SETTINGS) {
            assertThat(readme).contains("`--" + s.name() + "`");
        }
    }

    @Test
    void theReadmesExitCodeTableIsTheCliOne() throws Exception {
        String readme = Files.readString(RepositoryRoot.path().resolve("README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `(\\d+)` \\| (.+) \\|$").matcher(readme);
        Map<Integer, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(Integer.parseInt(row.group(1)), row.group(2));
        }
        Map<Integer, String> actual = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            actual.put(c.code, c.meaning);
        }
        assertThat(documented).isEqualTo(actual);
    }

    @Test
    void bashSourcesTheCompletionScriptAndCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
        CliRun completion = CliRun.of(Map.of(), "completion");
        assertThat(completion.exitCode()).isZero();
        Path script = Files.writeString(dir.resolve("perfbox-completion.bash"), completion.out());

        assertThat(bash(script, "perfbox su")).contains("submit");
        assertThat(bash(script, "perfbox submit --wa")).contains("--wait");
        assertThat(bash(script, "./perfbox serve --log-f")).contains("--log-format");
        assertThat(bash(script, "perfbox keys ")).contains("create", "list", "revoke");
    }

    /** Sources the script in a non-interactive bash, then asks its completion function for the words of {@code line} (compopt only works inside a real completion: a no-op here). */
    private static String bash(Path script, String line) throws Exception {
        String program = "set -e; source \"$1\"; complete -p perfbox ./perfbox >/dev/null;"
                + " COMP_LINE=\"$2\"; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< \"$2\";"
                + " case \"$2\" in *' ') COMP_WORDS+=(''); esac; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
                + " compopt() { :; }; _complete_perfbox; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", program, "bash", script.toString(), line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
