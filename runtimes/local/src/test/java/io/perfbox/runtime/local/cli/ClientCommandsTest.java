package io.perfbox.runtime.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.JobId;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.Misconfiguration;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.domain.VulnerabilityPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client commands against perfbox's own API (in this JVM, on in-memory stores, no Docker): the leaderboard,
 * id prefixes, the views for a person, the exit code of a job waited for, and arguments refused before any request.
 */
class ClientCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** No server listens on the discard port: a command that reached for one would exit 3, not 2. */
    private static final Map<String, String> NOWHERE = Map.of("PERFBOX_URL", "http://127.0.0.1:9");

    private InProcessApi api;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        api = InProcessApi.start();
        env = api.env();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static String id(String prefix) {
        String random = UUID.randomUUID().toString();
        return prefix + random.substring(prefix.length());
    }

    @Test
    void leaderboardRanksTheJobsThatSucceededByPerformanceOrAMetric() throws Exception {
        Instant t = Instant.now().minusSeconds(600);
        String a = id("aaaa1111"), b = id("bbbb2222"), c = id("cccc3333");
        api.add(a, "alpha", t);
        api.add(b, "beta", t.plusSeconds(1));
        api.add(c, "gamma", t.plusSeconds(2));
        api.succeed(a, 900.0, Map.of("latency_ms", 12.5));
        api.succeed(b, 0.25, Map.of("latency_ms", 3.0));
        api.fail(c, FailureCode.RUN_FAILED, "exit 4");

        CliRun table = CliRun.onTerminal(env, "leaderboard");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("leaderboard by performance, highest first")
                .containsPattern("(?m)^RANK +PERFORMANCE +RUNS +SPREAD +ID +CREATED +NAME$")
                .containsPattern("(?m)^1 +900 +1 +0\\.00% +" + a + " +\\d+ min ago +alpha$")
                .containsPattern("(?m)^2 +0\\.25 +1 +0\\.00% +" + b + " .* beta$")
                .doesNotContain("900.0").doesNotContain(c);

        CliRun asc = CliRun.onTerminal(env, "leaderboard", "--metric", "latency_ms", "--order", "asc", "--limit", "1");
        assertThat(asc.exitCode()).as(asc.err()).isZero();
        assertThat(asc.out()).contains("leaderboard by latency_ms, lowest first").containsPattern("(?m)^1 +3 +1 .*" + b)
                .doesNotContain(a);

        JsonNode json = JSON.readTree(CliRun.of(env, "leaderboard", "--order", "ASC").out());
        assertThat(json.get("order").asText()).isEqualTo("asc");
        assertThat(json.get("entries").get(0).get("id").asText()).isEqualTo(b);
        assertThat(CliRun.of(env, "leaderboard", "-q").out().lines()).containsExactly(a, b);
        assertThat(CliRun.onTerminal(env, "leaderboard", "--metric", "nothing_here").out()).contains("no job SUCCEEDED with nothing_here");
    }

    @Test
    void leaderboardArgumentsAreCheckedBeforeAnyRequest() {
        for (String[] args : List.of(new String[] {"leaderboard", "--limit", "0"}, new String[] {"leaderboard", "--limit", "101"},
                new String[] {"leaderboard", "--order", "up"}, new String[] {"leaderboard", "--metric", "a b"},
                new String[] {"leaderboard", "--metric", ""})) {
            CliRun r = CliRun.of(NOWHERE, args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("perfbox leaderboard --help");
        }
        assertThat(CliRun.of(NOWHERE, "leaderboard", "--order", "up").err()).contains("asc", "desc");
    }

    @Test
    void aUniquePrefixOfFourOrMoreWorksForEveryCommandThatTakesAnId() throws Exception {
        Instant t = Instant.now().minusSeconds(60);
        String done = id("d0d0e1e1"), other = id("d0d0f2f2"), under = id("abcd9999");
        api.add(done, "done", t);
        api.add(other, "other", t);
        api.add(under, "under way", t);
        api.succeed(done, 0.5, Map.of());
        api.succeed(other, 0.6, Map.of());
        api.output(done, "hello from the run\n");

        CliRun status = CliRun.of(env, "status", "d0d0e1");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(JSON.readTree(status.out()).get("id").asText()).isEqualTo(done);
        assertThat(CliRun.of(env, "status", done.substring(0, 8).toUpperCase()).out()).as("any case").contains(done);
        assertThat(CliRun.of(env, "status", done).exitCode()).as("the whole id").isZero();
        assertThat(CliRun.of(env, "logs", "d0d0e").out()).isEqualTo("hello from the run\n");
        assertThat(JSON.readTree(CliRun.of(env, "scan", "d0d0e1e1").out()).get("id").asText()).isEqualTo(done);
        CliRun cancel = CliRun.onTerminal(env, "cancel", "abcd");
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        assertThat(cancel.out().strip()).isEqualTo("job " + under + " CANCELLED");
        CliRun delete = CliRun.onTerminal(env, "delete", "abcd9");
        assertThat(delete.out().strip()).isEqualTo("deleted job " + under + " (CANCELLED)");
        assertThat(api.jobs.find(new JobId(under))).isEmpty();
    }

    @Test
    void anAmbiguousPrefixIsExitTwoListingTheCandidates() {
        Instant t = Instant.now().minusSeconds(60);
        String first = id("feed0001"), second = id("feed0002");
        api.add(first, "first", t);
        api.add(second, "second", t);
        for (String command : List.of("status", "logs", "scan", "cancel", "delete")) {
            CliRun r = CliRun.of(env, command, "feed");
            assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("'feed' is ambiguous", "2 of your jobs", first, second, "first", "second",
                    "give more of its characters");
        }
        assertThat(api.job(first).status()).as("nothing was cancelled").isEqualTo(JobStatus.QUEUED);
        assertThat(CliRun.of(env, "status", "feed0001").exitCode()).isZero();
    }

    @Test
    void aPrefixIsLookedUpOnEveryPageOfTheList() throws Exception {
        Instant t = Instant.now().minusSeconds(3600);
        String oldest = id("0123abcd");
        api.add(oldest, "oldest", t);
        for (int i = 0; i < 230; i++) {
            api.add(id("9" + String.format("%03d", i)), null, t.plusSeconds(1 + i));
        }
        CliRun r = CliRun.of(env, "status", "0123ab");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).get("id").asText()).isEqualTo(oldest);
    }

    @Test
    void aPrefixShorterThanFourOrNotHexIsExitTwoBeforeAnyRequest() {
        for (String command : List.of("status", "logs", "scan", "cancel", "delete")) {
            CliRun shortOne = CliRun.of(NOWHERE, command, "abc");
            assertThat(shortOne.exitCode()).as(command + ": " + shortOne.err()).isEqualTo(2);
            assertThat(shortOne.err()).contains("too short", "at least 4");
            CliRun notAnId = CliRun.of(NOWHERE, command, "zzzz-not-an-id");
            assertThat(notAnId.exitCode()).isEqualTo(2);
            assertThat(notAnId.err()).contains("not a job id");
        }
    }

    @Test
    void aPrefixThatNamesNoJobIsExitOne() {
        CliRun r = CliRun.of(env, "status", "beef");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no job's id starts with 'beef'");
    }

    @Test
    void aPrefixResolvesAmongTheTenantsOwnJobsOnly() throws Exception {
        try (InProcessApi team = InProcessApi.startWithKeys()) {
            Map<String, String> alice = team.env("alice");
            Map<String, String> bob = team.env("bob");
            Instant t = Instant.now().minusSeconds(60);
            String alices = id("cafe0001"), bobs = id("cafe0002");
            team.add("alice", alices, "alice's", t);
            team.add("bob", bobs, "bob's", t);

            CliRun own = CliRun.of(alice, "status", "cafe");
            assertThat(own.exitCode()).as("bob's job is no candidate of alice's: " + own.err()).isZero();
            assertThat(JSON.readTree(own.out()).get("id").asText()).isEqualTo(alices);
            CliRun other = CliRun.of(bob, "status", "cafe0001");
            assertThat(other.exitCode()).isEqualTo(1);
            assertThat(other.err()).contains("no job's id starts with").doesNotContain(alices).doesNotContain("alice's");
            CliRun cancel = CliRun.of(bob, "cancel", "cafe0001");
            assertThat(cancel.exitCode()).isEqualTo(1);
            assertThat(team.job(alices).status()).isEqualTo(JobStatus.QUEUED);
        }
    }

    @Test
    void listShowsTheFailureRelativeTimesAndNumbersAsWritten() throws Exception {
        Instant t = Instant.now().minusSeconds(190);
        String ok = id("11110000"), failed = id("22220000");
        api.add(ok, "fine", t);
        api.add(failed, "broken", t.plusSeconds(1));
        api.succeed(ok, 900.0, Map.of());
        api.fail(failed, FailureCode.BUILD_FAILED, "line 3: RUN exit 3");
        CliRun list = CliRun.onTerminal(env, "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow()).matches("ID +STATUS +PERFORMANCE +FAILURE +CREATED +NAME");
        assertThat(list.out()).containsPattern(ok + " +SUCCEEDED +900 +- +3 min ago +fine")
                .containsPattern(failed + " +FAILED +- +BUILD_FAILED +3 min ago +broken").doesNotContain("900.0");
        JsonNode json = JSON.readTree(CliRun.of(env, "list").out());
        assertThat(json.get("jobs").get(1).get("performance").asText()).as("-o json: the API's JSON").isEqualTo("900.0");
    }

    @Test
    void listArgumentsAreCheckedBeforeAnyRequest() {
        CliRun typo = CliRun.of(NOWHERE, "list", "--status", "FAILD");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("'FAILD' is not a job status; did you mean FAILED?").contains("perfbox list --help");
        for (String limit : List.of("0", "101", "-3", "many")) {
            CliRun r = CliRun.of(NOWHERE, "list", "--limit", limit);
            assertThat(r.exitCode()).as(limit).isEqualTo(2);
            assertThat(r.err()).contains("'" + limit + "' is not a whole number from 1 to 100");
        }
        assertThat(CliRun.of(env, "list", "--status", "failed", "--limit", "100").exitCode()).as("any case").isZero();
    }

    @Test
    void statusShowsWhenItWasMadeEachStagesDurationAndFindingsInWords() {
        String j = id("33330000");
        api.add(j, "staged", Instant.now().minusSeconds(125));
        ScanReport report = new ScanReport("Trivy", "0.58.1", List.of(
                new Finding("CVE-1", "openssl", "3.0.1", "3.0.2", Severity.CRITICAL, "bad", "debian"),
                new Finding("CVE-2", "zlib", "1.2", null, Severity.LOW, "meh", "debian")));
        api.scanned(j, report, new VulnerabilityPolicy(Severity.CRITICAL, false));
        CliRun status = CliRun.onTerminal(env, "status", j);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("created:     2 min ago (")
                .contains("findings:    1 CRITICAL, 1 LOW (perfbox scan 33330000 lists them)")
                .contains("stages:      queued 0.1 s, building 1.0 s, scanning 1.0 s (2.1 s in all)")
                .doesNotContain("{\"");
    }

    @Test
    void scanListsTheWorstFirstAndMarksWhatBlockedAtTheThresholdTheServerNamed() {
        String j = id("44440000");
        api.add(j, null, Instant.now());
        ScanReport report = new ScanReport("Trivy", "0.58.1", List.of(
                new Finding("CVE-L", "zlib", "1.2", null, Severity.LOW, "low one", "debian"),
                new Finding("CVE-H", "curl", "7.0", "7.1", Severity.HIGH, "high one", "debian"),
                new Finding("CVE-M", "bash", "5.0", "5.1", Severity.MEDIUM, "medium one", "debian"),
                new Finding("CVE-C", "openssl", "3.0.1", "3.0.2", Severity.CRITICAL, "critical one", "debian")));
        api.scanned(j, report, new VulnerabilityPolicy(Severity.HIGH, false));
        CliRun scan = CliRun.onTerminal(env, "scan", "4444");
        assertThat(scan.exitCode()).as(scan.err()).isZero();
        assertThat(scan.out()).contains("findings: 1 CRITICAL, 1 HIGH, 1 MEDIUM, 1 LOW")
                .contains("threshold: HIGH (the server's --severity-threshold): 2 blocking findings, marked *")
                .containsSubsequence("CVE-C", "CVE-H", "CVE-M", "CVE-L")
                .containsPattern("(?m)^\\* +CRITICAL +CVE-C ").containsPattern("(?m)^\\* +HIGH +CVE-H ")
                .containsPattern("(?m)^ +MEDIUM +CVE-M ").containsPattern("(?m)^ +LOW +CVE-L ");

        String passed = id("55550000");
        api.add(passed, null, Instant.now());
        api.scanned(passed, report, new VulnerabilityPolicy(Severity.CRITICAL, true));
        api.update(passed, x -> x.succeeded(1, Map.of(), Instant.now()));
        CliRun ok = CliRun.onTerminal(env, "scan", "5555");
        assertThat(ok.out()).contains("threshold: none blocking").doesNotContainPattern("(?m)^\\*");
        assertThat(CliRun.of(env, "scan", "5555", "-q").out().lines()).containsExactlyInAnyOrder("CVE-L", "CVE-H", "CVE-M", "CVE-C");

        String unfixedIgnored = id("66660000");
        api.add(unfixedIgnored, null, Instant.now());
        api.scanned(unfixedIgnored, report, new VulnerabilityPolicy(Severity.LOW, true));
        CliRun ignored = CliRun.onTerminal(env, "scan", "6666");
        assertThat(ignored.out()).as("--ignore-unfixed: the finding without a fix did not block")
                .contains("threshold: LOW").contains("3 blocking findings").containsPattern("(?m)^ +LOW +CVE-L ");
    }

    private static final List<Misconfiguration> MISCONFIGURED = List.of(
            new Misconfiguration("DS026", "No HEALTHCHECK defined", Severity.LOW,
                    "Add HEALTHCHECK instruction in your Dockerfile", null, null),
            new Misconfiguration("DS002", "Image user should not be 'root'", Severity.HIGH,
                    "Specify at least 1 USER command in Dockerfile with non-root user as argument", null, null),
            new Misconfiguration("DS013", "'RUN cd ...' to change directory", Severity.MEDIUM,
                    "RUN should not be used to change directory: 'cd /app'. Use 'WORKDIR' statement instead.", 3, 3));

    @Test
    void scanAndStatusShowTheDockerfilesMisconfigurationsAsWarningsWithoutAThreshold() {
        String j = id("88880000");
        api.add(j, null, Instant.now());
        ScanReport report = new ScanReport("Trivy", "0.58.1", List.of()).withMisconfigurations(MISCONFIGURED);
        api.scanned(j, report, VulnerabilityPolicy.DEFAULT);
        api.update(j, x -> x.succeeded(1, Map.of(), Instant.now()));

        CliRun scan = CliRun.onTerminal(env, "scan", "8888");
        assertThat(scan.exitCode()).as(scan.err()).isZero();
        assertThat(scan.out())
                .contains("misconfigurations: 3 (Trivy's Dockerfile checks); warnings only (the server has no "
                        + "--misconfig-threshold)")
                .containsSubsequence("DS002", "DS013", "DS026")
                .containsPattern("(?m)^ +HIGH +DS002 +Image user should not be 'root' +Specify at least 1 USER")
                .containsPattern("(?m)^ +MEDIUM +DS013 +3 +'RUN cd \\.\\.\\.' to change directory")
                .doesNotContainPattern("(?m)^\\*");

        CliRun status = CliRun.onTerminal(env, "status", j);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("misconfig:   DS026 (LOW) No HEALTHCHECK defined: Add HEALTHCHECK instruction"
                        + " in your Dockerfile (warning)")
                .contains("misconfig:   DS013 (MEDIUM) 'RUN cd ...' to change directory at line 3: RUN should not be "
                        + "used to change directory: 'cd /app'. Use 'WORKDIR' statement instead. (warning)")
                .doesNotContain("(blocking)");
    }

    @Test
    void scanAndStatusMarkTheMisconfigurationsThatEndedTheJobMisconfigured() {
        String j = id("99990000");
        api.add(j, null, Instant.now());
        ScanReport report = new ScanReport("Trivy", "0.58.1", List.of(
                new Finding("CVE-L", "zlib", "1.2", null, Severity.LOW, "low one", "debian")))
                .withMisconfigurations(MISCONFIGURED);
        api.scanned(j, report, VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(Severity.MEDIUM));

        CliRun scan = CliRun.onTerminal(env, "scan", "9999");
        assertThat(scan.exitCode()).as(scan.err()).isZero();
        assertThat(scan.out())
                .contains("threshold: none blocking")
                .contains("misconfigurations: 3 (Trivy's Dockerfile checks); threshold MEDIUM (the server's "
                        + "--misconfig-threshold): 2 blocking, marked *, ended the job MISCONFIGURED")
                .containsPattern("(?m)^\\* +HIGH +DS002 ").containsPattern("(?m)^\\* +MEDIUM +DS013 ")
                .containsPattern("(?m)^ +LOW +DS026 ");

        CliRun status = CliRun.onTerminal(env, "status", j);
        assertThat(status.out()).contains("failure:     MISCONFIGURED")
                .contains("misconfig:   DS002 (HIGH) Image user should not be 'root': Specify at least 1 USER command"
                        + " in Dockerfile with non-root user as argument (blocking)")
                .contains("misconfig:   DS026 (LOW) No HEALTHCHECK defined: Add HEALTHCHECK instruction in your "
                        + "Dockerfile (warning)");
    }

    @Test
    void aJobScannedBeforeTheDockerfileChecksSaysItsDockerfileWasNotChecked() {
        String j = id("bbbb0000");
        api.add(j, null, Instant.now());
        // As an older perfbox saved it: no misconfigurations, no thresholds.
        api.scanned(j, new ScanReport("Trivy", "0.58.1", List.of()), VulnerabilityPolicy.DEFAULT);
        api.artifacts.saveScanReport(new JobId(j), new ScanReport("Trivy", "0.58.1", List.of()));

        CliRun scan = CliRun.onTerminal(env, "scan", "bbbb");

        assertThat(scan.exitCode()).as(scan.err()).isZero();
        assertThat(scan.out()).contains("misconfigurations: not checked (the job was scanned before perfbox ran "
                + "Trivy's Dockerfile checks)");
    }

    @Test
    void theReadmesScanOutputOfMisconfigurationsIsWhatScanPrints() throws Exception {
        String j = id("aaaa0000");
        api.add(j, null, Instant.now());
        api.scanned(j, new ScanReport("Trivy", "0.58.1", List.of()).withMisconfigurations(List.of(MISCONFIGURED.get(0),
                MISCONFIGURED.get(1))), VulnerabilityPolicy.DEFAULT.withMisconfigThreshold(Severity.HIGH));
        String section = ReadmeSection.of("Scanner").text();
        Matcher block = Pattern.compile("prints them after the findings:\n\n```text\n(.*?)```",
                Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("the README's scan output of misconfigurations").isTrue();

        CliRun scan = CliRun.onTerminal(env, "scan", "aaaa");

        assertThat(scan.exitCode()).as(scan.err()).isZero();
        assertThat(scan.out()).endsWith(block.group(1));
    }

    @Test
    void logsFollowEndsWithTheStatusLineAndExitsWithTheOutcome() throws Exception {
        String ok = id("77770001"), failed = id("77770002"), cancelled = id("77770003");
        for (String j : List.of(ok, failed, cancelled)) {
            api.add(j, null, Instant.now().minusSeconds(10));
            api.output(j, "out of " + j + "\n");
        }
        api.succeed(ok, 900.0, Map.of());
        api.fail(failed, FailureCode.RUN_FAILED, "exit 4");
        api.cancel(cancelled);

        CliRun followedOk = CliRun.of(env, "logs", "-f", "77770001");
        assertThat(followedOk.exitCode()).isZero();
        assertThat(followedOk.out()).as("piped: the output alone, byte for byte").isEqualTo("out of " + ok + "\n");
        assertThat(followedOk.err().strip()).isEqualTo("job " + ok + " SUCCEEDED in 4.6 s: performance 900");
        CliRun followedFailed = CliRun.onTerminal(env, "logs", "-f", "77770002");
        assertThat(followedFailed.exitCode()).isEqualTo(1);
        assertThat(followedFailed.out()).as("on a terminal the line follows the output")
                .endsWith("out of " + failed + "\njob " + failed + " FAILED (RUN_FAILED) after 2.1 s\n");
        CliRun followedCancelled = CliRun.of(env, "logs", "-f", "77770003");
        assertThat(followedCancelled.exitCode()).isEqualTo(5);
        assertThat(followedCancelled.err()).contains("job " + cancelled + " CANCELLED");
        assertThat(CliRun.of(env, "logs", "77770002").exitCode()).as("without -f: the output, exit 0").isZero();
    }

    @Test
    void logsFollowWaitsForAJobUnderWayToEnd() throws Exception {
        String j = id("88880000");
        api.add(j, null, Instant.now());
        api.throughStages(j);
        Thread ender = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                return;
            }
            api.output(j, "late line\n");
            api.cancel(j);
        });
        CliRun followed = CliRun.of(env, "logs", "-f", j);
        ender.join();
        assertThat(followed.exitCode()).as(followed.err()).isEqualTo(5);
        assertThat(followed.out()).isEqualTo("late line\n");
        assertThat(followed.err()).contains("CANCELLED");
    }

    @Test
    void deletingAJobUnderWaySuggestsCancelAndForceCancelsFirst() {
        String j = id("99990000");
        api.add(j, null, Instant.now());
        api.throughStages(j);
        CliRun refused = CliRun.of(env, "delete", "9999");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("RUNNING").contains("perfbox cancel " + j)
                .contains("perfbox delete --force " + j);
        assertThat(api.job(j).status()).isEqualTo(JobStatus.RUNNING);

        CliRun forced = CliRun.onTerminal(env, "delete", "--force", "9999");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out().strip()).isEqualTo("deleted job " + j + " (CANCELLED)");
        assertThat(api.jobs.find(new JobId(j))).isEmpty();
        assertThat(api.launcher.stopped()).as("its run was stopped").contains(new JobId(j));

        String ended = id("99990001");
        api.add(ended, null, Instant.now());
        api.succeed(ended, 1, Map.of());
        assertThat(CliRun.of(env, "delete", "--force", ended).exitCode()).as("--force on a job that ended").isZero();
    }

    @Test
    void whatAJobWroteStaysEscapedInTheNewViews() {
        // An OSC title, a clear-screen, a C1 CSI, a bidi override, a bare carriage return: as TerminalEscapesTest.
        String hostile = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202etxt\rSUCCEEDED";
        Instant t = Instant.now().minusSeconds(30);
        String a = id("abab0001"), b = id("abab0002");
        api.add(a, "name " + hostile, t);
        api.add(b, "other " + hostile, t);
        api.succeed(a, 2, Map.of());
        api.output(b, "out " + hostile + "\n");
        api.fail(b, FailureCode.RUN_FAILED, "message " + hostile);
        List<CliRun> shown = List.of(CliRun.onTerminal(env, "leaderboard"), CliRun.onTerminal(env, "list"),
                CliRun.onTerminal(env, "status", "abab0002"), CliRun.onTerminal(env, "status", "abab"),
                CliRun.onTerminal(env, "logs", "-f", "abab0002"), CliRun.of(env, "logs", "-f", "abab0001"));
        for (CliRun r : shown) {
            TerminalEscapesTest.assertNothingDrivesATerminal(r.out());
            TerminalEscapesTest.assertNothingDrivesATerminal(r.err());
        }
        assertThat(shown.get(0).out()).contains("name \\u001b]0;pwned\\u0007");
        assertThat(shown.get(1).out()).contains("other \\u001b]0;pwned");
        assertThat(shown.get(3).exitCode()).isEqualTo(2);
        assertThat(shown.get(3).err()).as("the candidates of an ambiguous prefix").contains("name \\u001b]0;pwned");
        assertThat(shown.get(4).out()).contains("out \\u001b]0;pwned").endsWith(" FAILED (RUN_FAILED) after 2.1 s\n");
    }

    @Test
    void noServerSaysHowToPointAtAnother() {
        CliRun r = CliRun.of(NOWHERE, "list");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("no perfbox server answers at http://127.0.0.1:9/")
                .contains("./perfbox serve").contains("--url").contains("PERFBOX_URL");
    }
}
