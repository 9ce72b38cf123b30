package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.testing.docker.RequiresDocker;
import io.perfbox.testing.trivy.RealTrivy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real headless Chromium against a real {@code perfbox serve} (Docker, the real Trivy): what a
 * user sees on the pages, read from the page itself. Screenshots of each page are kept in
 * {@code target/console-screenshots/}, and one of a failing test's page under its own name.
 */
@RequiresDocker
class ConsoleBrowserIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    /** The finished statuses: core's one list. */
    private static final Set<String> TERMINAL = JobStatus.TERMINAL.stream()
            .map(Enum::name).collect(Collectors.toUnmodifiableSet());
    private static final List<String> LIFECYCLE = List.of("QUEUED", "BUILDING", "SCANNING", "RUNNING", "SUCCEEDED");

    private static PerfboxProcess server;
    private static Http http;
    private HeadlessChromium browser;
    private String testName;

    @BeforeAll
    static void startServer() throws Exception {
        Path dataDir = Path.of("target", "e2e", "console-" + UUID.randomUUID()).toAbsolutePath();
        server = PerfboxProcess.start(dataDir, RealTrivy.with("--workers", "2"));
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openBrowser(TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = HeadlessChromium.start(1280, 1400);
    }

    @AfterEach
    void closeBrowser() throws Exception {
        if (browser != null) {
            // What the page showed when the test ended, passed or not.
            browser.screenshot("last-" + testName);
            browser.close();
        }
    }

    /** Fills the submit form as a person would and sends it; returns the job's id from the page it lands on. */
    private String submitThroughTheForm(String name, String dockerfile) {
        return submitThroughTheForm(server.baseUrl(), name, dockerfile);
    }

    private String submitThroughTheForm(String base, String name, String dockerfile) {
        browser.open(base + "/#/submit");
        browser.await(Duration.ofSeconds(30), "the submit form", d -> browser.findAll("#submit-form").size() == 1);
        browser.find("#submit-name").sendKeys(name);
        WebElement text = browser.find("#submit-dockerfile");
        text.clear();
        text.sendKeys(dockerfile);
        browser.find("#submit-button").click();
        String url = browser.await(Duration.ofSeconds(30), "the job's page after submit",
                d -> d.getCurrentUrl().matches(".*#/jobs/[0-9a-f-]{36}$") ? d.getCurrentUrl() : null);
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static String metricJob(String metric, double value) {
        return "FROM debian:bookworm\nCMD echo '{\"perf\":" + value + ",\"metrics\":{\"" + metric + "\":" + value
                + "}}' > /data/perf.json\n";
    }

    @Test
    void aJobSubmittedThroughTheFormIsSeenMovingThroughItsStagesToSucceededWithItsLiveOutput() throws Exception {
        String dockerfile = "FROM debian:bookworm\n"
                + "CMD for i in 1 2 3 4; do echo \"epoch $i\"; sleep 1; done; echo '{\"perf\":0.5}' > /data/perf.json\n";
        String id = submitThroughTheForm("browser succeeds", dockerfile);

        // The page follows the job by itself: note each status it shows, and its output while it runs.
        Set<String> shown = new LinkedHashSet<>();
        String outputWhileRunning = "";
        Instant deadline = Instant.now().plus(JOB_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            String status = browser.text("#job-status");
            if (!status.isEmpty()) {
                shown.add(status);
            }
            if (status.equals("RUNNING")) {
                outputWhileRunning = browser.content("#job-output");
            }
            if (TERMINAL.contains(status)) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(shown).as("statuses the page showed").last().isEqualTo("SUCCEEDED");
        assertThat(shown).as("the job was seen under way, not only ended").containsAnyOf("BUILDING", "SCANNING", "RUNNING");
        assertThat(LIFECYCLE).as("in the lifecycle's order").containsSubsequence(new ArrayList<>(shown));
        assertThat(outputWhileRunning).as("the run's output while it ran").contains("epoch 1");

        browser.await(Duration.ofSeconds(30), "the performance", d -> browser.text("#job-performance").equals("0.5"));
        assertThat(browser.text("#job-title")).isEqualTo("browser succeeds");
        assertThat(browser.attributes("#job-timeline li", "data-stage"))
                .containsExactly("QUEUED", "BUILDING", "SCANNING", "RUNNING", "END");
        assertThat(browser.attributes("#job-timeline li", "class").subList(0, 4)).allSatisfy(c -> assertThat(c).contains("stage-done"));
        List<String> stages = browser.texts("#job-timeline li");
        assertThat(stages.get(4)).contains("SUCCEEDED");
        assertThat(stages).allSatisfy(s -> assertThat(s).doesNotContain("not reached", "not yet"));
        browser.await(Duration.ofSeconds(30), "the whole output, the run's apart from the build's",
                d -> browser.content("#job-run-output").contains("epoch 4"));
        assertThat(browser.content("#job-build-output")).doesNotContain("epoch");
        browser.await(Duration.ofSeconds(30), "the scan's findings", d -> browser.text("#scan-findings").contains(RealTrivy.BASE_LOW));
        // No USER: Trivy's Dockerfile check DS002, a warning (the server has no --misconfig-threshold).
        browser.await(Duration.ofSeconds(30), "the Dockerfile's checks",
                d -> browser.text("#scan-misconfigurations").contains("DS002") && browser.text("#scan-misconfigurations")
                        .contains("warnings only"));
        browser.await(Duration.ofSeconds(30), "the Dockerfile", d -> !browser.text("#job-dockerfile").isEmpty());
        assertThat(browser.content("#job-dockerfile")).isEqualTo(dockerfile);
        assertThat(browser.findAll("#delete-job")).as("a finished job can be deleted").hasSize(1);
        assertThat(http.job(id).get("performance").asDouble()).isEqualTo(0.5);
        browser.screenshot("job-succeeded");
        // A real job's page (its receipt's long digests among it) fits a 400 px window: nothing scrolls sideways.
        browser.await(Duration.ofSeconds(30), "the receipt", d -> browser.findAll("#receipt-kernel").size() == 1);
        browser.driver().manage().window().setSize(new Dimension(400, 1100));
        browser.await(Duration.ofSeconds(10), "the page at 400 px", d -> ((Number) browser.script(
                "return document.scrollingElement.scrollWidth - innerWidth;")).intValue() <= 0);
        browser.screenshot("job-succeeded-400");
    }

    @Test
    void aFailedJobShowsItsFailureCodeItsReasonAndWhereItStopped() throws Exception {
        // A name that would be markup if the page wrote it as HTML: it must show as the text it is.
        String name = "<img src=x onerror=alert(1)> fails";
        String id = submitThroughTheForm(name, "FROM debian:bookworm\nCMD echo about to fail && exit 7\n");
        browser.await(Duration.ofSeconds(30), "the job's name", d -> browser.text("#job-title").equals(name));
        assertThat(browser.findAll("#job-title img")).isEmpty();

        browser.await(JOB_TIMEOUT, "the job to fail", d -> browser.text("#job-status").equals("FAILED"));
        browser.await(Duration.ofSeconds(10), "the failure", d -> !browser.text("#failure-message").isEmpty());
        JsonNode failure = http.job(id).get("failure");
        assertThat(browser.text("#failure-code")).isEqualTo("RUN_FAILED").isEqualTo(failure.get("code").asText());
        assertThat(browser.text("#failure-message")).isEqualTo(failure.get("message").asText()).contains("7");
        assertThat(browser.attributes("#job-timeline li[data-stage='RUNNING']", "class")).singleElement().asString()
                .contains("stage-failed");
        assertThat(browser.text("#job-timeline li[data-stage='END']")).contains("FAILED");
        assertThat(browser.shown("#job-performance")).as("no performance").isFalse();
        browser.await(Duration.ofSeconds(30), "the run's output", d -> browser.content("#job-run-output").contains("about to fail"));
        browser.screenshot("job-failed");
    }

    @Test
    void aJobsPageShowsItsReceiptAsTheApiAnswersIt() throws Exception {
        String id = http.submit("FROM debian:bookworm\nCMD echo '{\"perf\":0.5}' > /data/perf.json\n");
        browser.open(server.baseUrl() + "/#/jobs/" + id);
        browser.await(JOB_TIMEOUT, "the job's receipt of its run", d -> browser.findAll("#receipt-kernel").size() == 1);
        var receipt = http.job(id).get("receipt");
        assertThat(browser.text("#receipt-dockerfile td")).isEqualTo(receipt.get("dockerfileSha256").asText());
        assertThat(browser.text("#receipt-image td")).isEqualTo(receipt.get("imageDigest").asText());
        assertThat(browser.text("#receipt-base-0 td")).isEqualTo("debian:bookworm "
                + receipt.get("baseImages").get(0).get("digest").asText());
        assertThat(browser.text("#receipt-scanner td")).startsWith("trivy " + receipt.get("scanner").get("version").asText());
        assertThat(browser.text("#receipt-kernel td")).isEqualTo(receipt.get("kernel").asText());
        assertThat(browser.text("#receipt-limits td")).contains("pids " + receipt.get("limits").get("pids").asText());
        // Text only: the panel holds the table's own elements and nothing a value could have made.
        assertThat(browser.findAll("#job-receipt *:not(h2):not(table):not(tbody):not(tr):not(th):not(td)")).isEmpty();
    }

    @Test
    void controlCharactersAJobWroteShowAsVisibleEscapesInItsNameDescriptionAndOutput() throws Exception {
        // A submit refuses C0 and C1 in a name, but not a bidi override; the run's output carries an OSC title and a
        // clear-screen. Shown as text, never passed on (the page's text pasted into a terminal would carry them).
        String id = http.submitJson(Map.of("name", "escapes \u202etxt.exe\u2066x", "description", "d \u202e",
                "dockerfile", "FROM debian:bookworm\nCMD printf 'out \\033[2J\\033]0;t\\007 end\\n'; echo '{\"perf\":1}' > /data/perf.json\n"));
        browser.open(server.baseUrl() + "/#/jobs/" + id);
        browser.await(Duration.ofSeconds(30), "the job's name", d -> browser.text("#job-title").equals("escapes \\u202etxt.exe\\u2066x"));
        browser.await(JOB_TIMEOUT, "the run's output", d -> browser.content("#job-run-output").contains(" end"));
        assertThat(browser.content("#job-run-output")).contains("out \\u001b[2J\\u001b]0;t\\u0007 end").doesNotContain("\u001b", "\u0007");
        assertThat(browser.content("body")).doesNotContain("\u001b", "\u0007", "\u202e", "\u2066");
    }

    @Test
    void aJobUnderWayIsCancelledFromItsPageAndStaysCancelledWithItsOutput() throws Exception {
        String id = submitThroughTheForm("browser cancels",
                "FROM debian:bookworm\nCMD echo started; sleep 300; echo '{\"perf\":1}' > /data/perf.json\n");
        browser.await(JOB_TIMEOUT, "the run and its first line", d -> browser.text("#job-status").equals("RUNNING")
                && browser.content("#job-output").contains("started"));
        browser.find("#cancel-job").click();
        browser.await(Duration.ofSeconds(60), "the job cancelled", d -> browser.text("#job-status").equals("CANCELLED"));
        assertThat(http.job(id).get("status").asText()).isEqualTo("CANCELLED");
        browser.await(Duration.ofSeconds(30), "delete offered instead", d -> browser.findAll("#delete-job").size() == 1
                && browser.findAll("#cancel-job").isEmpty());
        assertThat(browser.text("#job-timeline li[data-stage='END']")).contains("CANCELLED");
        browser.await(Duration.ofSeconds(30), "the run's output", d -> browser.content("#job-run-output").contains("started"));
        browser.screenshot("job-cancelled");
    }

    @Test
    void theJobListShowsNewJobsFirstFollowsThemByItselfAndFiltersByStatus() throws Exception {
        browser.open(server.baseUrl() + "/");
        browser.await(Duration.ofSeconds(30), "the job list", d -> browser.findAll("#jobs-table").size() == 1);
        // Submitted elsewhere (the API) while the page is open: the page shows them without a reload.
        String failing = http.submit("FROM debian:bookworm\nRUN exit 3\n");
        String succeeding = http.submit("FROM debian:bookworm\nCMD echo '{\"perf\":0.25}' > /data/perf.json\n");
        String row = "#jobs-body tr[data-job-id='" + succeeding + "']";
        browser.await(Duration.ofSeconds(30), "the new job's row", d -> browser.findAll(row).size() == 1);
        assertThat(browser.attributes("#jobs-body tr", "data-job-id")).as("newest first").startsWith(succeeding, failing);
        browser.await(JOB_TIMEOUT, "the row to show SUCCEEDED", d -> browser.text(row + " .col-status").equals("SUCCEEDED"));
        assertThat(browser.text(row + " .col-performance")).isEqualTo("0.25");
        String failedRow = "#jobs-body tr[data-job-id='" + failing + "']";
        browser.await(JOB_TIMEOUT, "the failed row", d -> browser.text(failedRow + " .col-status").equals("FAILED"));
        assertThat(browser.text(failedRow + " .col-failure")).isEqualTo("BUILD_FAILED");
        browser.screenshot("job-list");

        new Select(browser.find("#status-filter")).selectByValue("FAILED");
        browser.await(Duration.ofSeconds(30), "only failed jobs", d -> browser.findAll(row).isEmpty()
                && browser.findAll(failedRow).size() == 1);
        assertThat(browser.texts("#jobs-body .col-status")).containsOnly("FAILED");
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/jobs?status=FAILED");
        browser.screenshot("job-list-failed");

        browser.find(failedRow + " .col-name a").click();
        browser.await(Duration.ofSeconds(30), "the failed job's page", d -> browser.text("#failure-code").equals("BUILD_FAILED"));
    }

    @Test
    void theLeaderboardRanksByTheChosenMetricInTheChosenDirectionAndChartsTheSubmissions() throws Exception {
        String metric = "browser_score";
        List<String> ids = new ArrayList<>();
        for (double value : new double[] {0.2, 0.9, 0.5}) {
            String id = http.submitJson(Map.of("name", "lb " + value, "dockerfile", metricJob(metric, value)));
            assertThat(http.awaitEnd(id, JOB_TIMEOUT).get("status").asText()).isEqualTo("SUCCEEDED");
            ids.add(id);
        }

        browser.open(server.baseUrl() + "/#/leaderboard?metric=" + metric + "&order=desc");
        browser.await(Duration.ofSeconds(30), "three ranked rows", d -> browser.findAll("#leaderboard-body tr").size() == 3);
        assertThat(browser.texts("#leaderboard-body .col-name")).containsExactly("lb 0.9", "lb 0.5", "lb 0.2");
        assertThat(browser.texts("#leaderboard-body .col-value")).containsExactly("0.9", "0.5", "0.2");
        assertThat(browser.texts("#leaderboard-body .rank")).containsExactly("1", "2", "3");
        assertThat(browser.text("#leaderboard-value-header")).isEqualTo(metric);

        // The chart: one point per submission, oldest on the left, the highest value drawn highest.
        browser.await(Duration.ofSeconds(30), "the chart", d -> browser.findAll("#history-chart circle.point").size() == 3);
        assertThat(browser.attributes("#history-chart circle.point", "data-job-id")).containsExactlyElementsOf(ids);
        List<Double> x = browser.attributes("#history-chart circle.point", "cx").stream().map(Double::parseDouble).toList();
        List<Double> y = browser.attributes("#history-chart circle.point", "cy").stream().map(Double::parseDouble).toList();
        assertThat(x).isSorted();
        assertThat(y.get(1)).as("0.9 above 0.5").isLessThan(y.get(2));
        assertThat(y.get(2)).as("0.5 above 0.2").isLessThan(y.get(0));
        browser.screenshot("leaderboard");
        // The page's top, small, as the README shows it (docs/console.png is ConsolePagesIT's, over made-up jobs).
        browser.driver().manage().window().setSize(new Dimension(1000, 880));
        browser.screenshot("readme-console");

        new Select(browser.find("#leaderboard-order")).selectByValue("asc");
        browser.await(Duration.ofSeconds(30), "lowest first", d -> browser.driver().getCurrentUrl().contains("order=asc")
                && browser.text("#leaderboard-body tr:first-child .col-name").equals("lb 0.2"));
        assertThat(browser.texts("#leaderboard-body .col-name")).containsExactly("lb 0.2", "lb 0.5", "lb 0.9");
        browser.screenshot("leaderboard-ascending");
    }

    @Test
    void controlCharactersAJobCarriesShowAsVisibleEscapesInItsNameDescriptionFailureOutputAndDockerfile() throws Exception {
        // An OSC title, a clear-screen, a C1 CSI, a bidi override, a bare carriage return: inert in a page, but they
        // would hide or reorder what is read, or travel into a terminal with a copy. The API refuses C0 and C1 in a
        // name and a description, not a bidi override (nor a carriage return in a description); the Dockerfile
        // carries them all raw, so the build prints them and the failure message quotes them.
        String hostile = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202etxt.exe";
        String shown = "\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202etxt.exe";
        String id = http.submitJson(Map.of("name", "name \u202etxt.exe", "description", "about\rdone \u2066x",
                "dockerfile", "FROM debian:bookworm\nRUN echo 'out " + hostile + "'; exit 3\n"));
        assertThat(http.awaitEnd(id, JOB_TIMEOUT).get("failure").get("code").asText()).isEqualTo("BUILD_FAILED");

        browser.open(server.baseUrl() + "/#/jobs/" + id);
        browser.await(Duration.ofSeconds(30), "the failure, the output and the Dockerfile",
                d -> !browser.content("#failure-message").isEmpty() && browser.content("#job-build-output").contains("out ")
                        && !browser.content("#job-dockerfile").isEmpty());
        assertThat(browser.content("#job-title")).isEqualTo("name \\u202etxt.exe");
        assertThat(browser.content("#job-description")).isEqualTo("about\\u000ddone \\u2066x");
        assertThat(browser.content("#failure-message")).contains("\\u001b]0;pwned\\u0007");
        assertThat(browser.content("#job-build-output")).contains("out " + shown);
        assertThat(browser.content("#job-dockerfile")).contains("echo 'out " + shown + "'");
        for (String sink : List.of("#job-title", "#job-description", "#failure-message", "#job-build-output", "#job-dockerfile")) {
            // CR LF passes as a line break; a bare carriage return must not.
            String text = browser.content(sink).replace("\r\n", "\n");
            assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f
                    || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069).boxed().toList())
                    .as("control characters in %s: %s", sink, text).isEmpty();
        }
        browser.screenshot("job-control-characters");

        browser.open(server.baseUrl() + "/");
        String row = "#jobs-body tr[data-job-id='" + id + "'] .col-name";
        browser.await(Duration.ofSeconds(30), "the job's row", d -> browser.findAll(row).size() == 1);
        assertThat(browser.content(row)).isEqualTo("name \\u202etxt.exe");
    }

    @Test
    void theApiDocsAreSwaggerUiOverThisServersOpenApiAndEveryFileComesFromThisServer() throws Exception {
        browser.open(server.baseUrl() + "/docs");
        browser.await(Duration.ofSeconds(60), "Swagger UI's operations", d -> browser.findAll(".opblock").size() >= 5);
        assertThat(browser.attributes(".opblock-summary-path", "data-path")).contains("/jobs", "/jobs/{id}", "/jobs/{id}/dockerfile", "/leaderboard");
        browser.screenshot("api-docs");
        assertEveryResourceCameFromTheServer();

        browser.open(server.baseUrl() + "/");
        browser.await(Duration.ofSeconds(30), "the job list", d -> browser.findAll("#jobs-table").size() == 1);
        assertEveryResourceCameFromTheServer();
    }

    private void assertEveryResourceCameFromTheServer() {
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) browser.script(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);");
        assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(server.baseUrl() + "/"));
    }

    @Test
    void aPostFromThePageWithoutTheConsolesHeaderIsRefusedAndTheConsolesOwnIsAccepted() throws Exception {
        browser.open(server.baseUrl() + "/");
        browser.await(Duration.ofSeconds(30), "the job list", d -> browser.findAll("#jobs-table").size() == 1);
        String body = "FROM debian:bookworm\\nCMD echo 1 > /data/perf.json\\n";
        // The same origin, from the browser (which adds Origin): without the header as a form would, then with it.
        Object without = browser.script("return fetch('/jobs', {method: 'POST', headers: {'Content-Type': 'text/plain'},"
                + " body: '" + body + "'}).then(r => r.status);");
        Object with = browser.script("return fetch('/jobs', {method: 'POST', headers: {'Content-Type': 'text/plain',"
                + " 'X-Perfbox-Console': '1'}, body: '" + body + "'}).then(r => r.status);");
        assertThat(((Number) without).intValue()).isEqualTo(403);
        assertThat(((Number) with).intValue()).isEqualTo(202);
    }

    @Test
    void onAServerThatRequiresKeysTheConsoleAsksForOneKeepsItForTheTabAndSendsIt() throws Exception {
        Path dataDir = Path.of("target", "e2e", "console-keys-" + UUID.randomUUID()).toAbsolutePath();
        try (PerfboxProcess keyed = PerfboxProcess.start(dataDir, RealTrivy.with("--require-keys", "--workers", "1"))) {
            String key = createKey(dataDir, "browser");
            browser.open(keyed.baseUrl() + "/");
            browser.await(Duration.ofSeconds(30), "the key panel", d -> browser.shown("#key-panel"));
            browser.screenshot("key-asked");

            browser.find("#key-input").sendKeys("pbk_not-a-key");
            browser.find("#key-form button").click();
            browser.await(Duration.ofSeconds(30), "the key refused", d -> browser.shown("#key-panel")
                    && browser.text("#key-error").contains("refused"));

            browser.find("#key-input").sendKeys(key);
            browser.find("#key-form button").click();
            browser.await(Duration.ofSeconds(30), "the job list with the key", d -> !browser.shown("#key-panel")
                    && browser.text("#jobs-updated").contains("refreshed"));
            assertThat(browser.script("return sessionStorage.getItem('perfbox.apiKey');")).isEqualTo(key);
            assertThat(browser.shown("#key-state")).isTrue();

            String id = submitThroughTheForm(keyed.baseUrl(), "keyed", "FROM debian:bookworm\nCMD echo '{\"perf\":1}' > /data/perf.json\n");
            JsonNode job = new Http(keyed.baseUrl(), Map.of("x-api-key", key)).awaitEnd(id, JOB_TIMEOUT);
            assertThat(job.get("status").asText()).isEqualTo("SUCCEEDED");
            browser.await(Duration.ofSeconds(30), "the job's page", d -> browser.text("#job-status").equals("SUCCEEDED"));

            browser.find("#forget-key").click();
            browser.await(Duration.ofSeconds(30), "the key asked again", d -> browser.shown("#key-panel"));
            assertThat(browser.script("return sessionStorage.getItem('perfbox.apiKey');")).isNull();
        }
    }

    /** {@code perfbox keys create} on the server's data dir, as an operator runs it while the server serves. */
    private static String createKey(Path dataDir, String tenant) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.perfbox.runtime.local.cli.PerfboxCli",
                "keys", "create", "--tenant", tenant, "--data-dir", dataDir.toString(), "-q").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(out).startsWith("pbk_");
        return out;
    }
}
