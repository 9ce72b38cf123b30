package io.perfbox.runtime.local.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.FailureCode;
import io.perfbox.core.domain.Finding;
import io.perfbox.core.domain.JobStatus;
import io.perfbox.core.domain.ScanReport;
import io.perfbox.core.domain.Severity;
import io.perfbox.core.port.JobArtifactStore.LogKind;
import io.perfbox.testing.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The console's pages in a real headless Chromium against the console's real server over in-memory stores (no
 * Docker: {@link ConsoleFakeBackend}), with the jobs a test puts there: the layout at 1400 and 400 px, focus and the
 * live region across refreshes, Re-run, the log download, the findings and the rank, the leaderboard's columns and
 * chart, the banner of a server that stopped, the empty list, and tenant text that would be markup. Screenshots go to
 * {@code target/console-screenshots/}; two of them are the README's ({@code docs/}).
 */
class ConsolePagesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String HOSTILE = "<img src=x onerror=\"window.__pwned=1\">";
    private static final String DOCKERFILE = "FROM debian:bookworm\nCMD echo '{\"perf\":0.91}' > /data/perf.json\n";

    private static ConsoleFakeBackend backend;
    private static Http http;
    private static String succeeded;
    private static String vulnerable;
    private static String hostile;
    private HeadlessChromium browser;
    private String testName;

    @BeforeAll
    static void startServer() throws Exception {
        backend = new ConsoleFakeBackend();
        http = backend.http();
        // An earlier, lesser submission and a later, better one: the chart's best-so-far steps up once.
        String first = http.submitJson(Map.of("name", "baseline", "dockerfile", DOCKERFILE));
        backend.succeed(first, 0.62, Map.of("accuracy", 0.7, "latency_ms", 41.0));
        backend.succeed(http.submitJson(Map.of("name", "smaller batch", "dockerfile", DOCKERFILE)), 0.55,
                Map.of("accuracy", 0.64, "latency_ms", 40.2));
        succeeded = http.submitJson(Map.of("name", "resnet-50 tuned learning rate", "description",
                "lr 3e-4, batch 256, 90 epochs", "dockerfile", DOCKERFILE));
        backend.output(succeeded, LogKind.BUILD, "#1 [internal] load build definition from Dockerfile\n#5 DONE 0.4s\n");
        backend.output(succeeded, LogKind.RUN, "epoch 1 loss 0.93\nepoch 2 loss 0.41\nwrote /data/perf.json\n");
        backend.succeed(succeeded, 0.91, Map.of("accuracy", 0.88, "latency_ms", 37.5, "f1", 0.86));
        backend.succeed(http.submitJson(Map.of("name", "wider head", "dockerfile", DOCKERFILE)), 0.87,
                Map.of("accuracy", 0.85, "latency_ms", 44.9, "f1", 0.83));
        vulnerable = http.submitJson(Map.of("name", "old base image", "dockerfile", "FROM debian:buster\nCMD true\n"));
        backend.output(vulnerable, LogKind.BUILD, "#1 FROM debian:buster\n");
        backend.vulnerable(vulnerable, new ScanReport("trivy", "0.58.1", List.of(
                new Finding("CVE-2024-0003", "zlib", "1.2.11", null, Severity.LOW, "a low one", "debian"),
                new Finding("CVE-2024-0001", "openssl", "1.1.1n", "1.1.1w", Severity.CRITICAL, "remote code", "debian"),
                new Finding("CVE-2024-0002", "libc6", "2.28", "2.28-10", Severity.MEDIUM, "a medium one", "debian"),
                new Finding("CVE-2024-0004", "curl", "7.64", "7.88", Severity.HIGH, "a high one", "debian"))));
        hostile = http.submitJson(Map.of("name", HOSTILE + " name", "description", HOSTILE + " description",
                "dockerfile", "FROM debian:bookworm\nRUN echo '" + HOSTILE + "'\n"));
        backend.output(hostile, LogKind.BUILD, "log " + HOSTILE + "\n<script>window.__pwned=2</script>\n");
        backend.fail(hostile, FailureCode.BUILD_FAILED, "message " + HOSTILE);
    }

    @AfterAll
    static void stopServer() {
        if (backend != null) {
            backend.close();
        }
    }

    private void open(int width, int height, TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = HeadlessChromium.start(width, height);
    }

    @AfterEach
    void closeBrowser() throws Exception {
        if (browser != null) {
            browser.screenshot("last-" + testName);
            browser.close();
        }
    }

    private void awaitPage(String url, String css) {
        browser.open(url);
        browser.await(WAIT, css, d -> browser.shown(css));
    }

    /** The page and the header and timeline in it are no wider than the window: nothing scrolls sideways. */
    private void assertFitsTheWindow(String page) {
        Map<?, ?> widths = (Map<?, ?>) browser.script("const w = (s) => { const e = document.querySelector(s);"
                + " return e ? e.scrollWidth - e.clientWidth : 0; };"
                + " return {page: document.scrollingElement.scrollWidth - innerWidth, header: w('header.top'),"
                + " timeline: w('#job-timeline'), main: w('main')};");
        widths.forEach((part, over) -> assertThat(((Number) over).intValue())
                .as("%s: pixels of %s wider than the window (%s)", page, part, browser.driver().manage().window().getSize())
                .isLessThanOrEqualTo(0));
    }

    @Test
    void noPageScrollsSidewaysAt1400Or400PixelsWide(TestInfo info) throws Exception {
        open(1400, 1100, info);
        try (ConsoleFakeBackend empty = new ConsoleFakeBackend()) {
            for (int width : new int[] {1400, 400}) {
                browser.driver().manage().window().setSize(new Dimension(width, 1100));
                awaitPage(backend.url() + "/#/jobs", "#jobs-body tr");
                assertFitsTheWindow("the list at " + width);
                if (width == 400) {
                    assertThat(browser.script("return getComputedStyle(document.querySelector('#jobs-body tr')).display;"))
                            .as("the list's rows are cards").isEqualTo("block");
                    readmeScreenshot("console-list-400");
                }
                awaitPage(backend.url() + "/#/jobs/" + succeeded, "#job-run-output");
                browser.await(WAIT, "the rank", d -> !browser.text("#job-rank").isEmpty());
                assertFitsTheWindow("a job at " + width);
                if (width == 1400) {
                    readmeScreenshot("console-job");
                }
                awaitPage(backend.url() + "/#/jobs/" + vulnerable, "#scan-findings");
                assertFitsTheWindow("a job with findings at " + width);
                awaitPage(backend.url() + "/#/submit", "#submit-form");
                assertFitsTheWindow("submit at " + width);
                awaitPage(backend.url() + "/#/leaderboard?metric=performance", "#history-chart");
                assertFitsTheWindow("the leaderboard at " + width);
                awaitPage(empty.url() + "/#/jobs", "#jobs-empty");
                assertFitsTheWindow("the empty list at " + width);
                browser.screenshot("empty-list-" + width);
            }
        }
    }

    /** A screenshot the README shows: kept in target/ and copied to docs/ by hand (PERFBOX_DOCS_SCREENSHOTS=1 copies it). */
    private void readmeScreenshot(String name) throws Exception {
        Path shot = browser.screenshot(name);
        if ("1".equals(System.getenv("PERFBOX_DOCS_SCREENSHOTS"))) {
            Files.copy(shot, RepositoryRoot.path().resolve("docs").resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void anEmptyListShowsTheFirstCommandToRun(TestInfo info) throws Exception {
        open(1280, 900, info);
        try (ConsoleFakeBackend empty = new ConsoleFakeBackend()) {
            awaitPage(empty.url() + "/", "#jobs-empty");
            assertThat(browser.text("#first-command")).isEqualTo("./perfbox submit Dockerfile --wait");
            assertThat(browser.shown("#jobs-table")).isFalse();
        }
    }

    @Test
    void aRefreshKeepsTheFocusedRowAndTheLiveRegionSaysOnlyTheStatusThatChanged(TestInfo info) throws Exception {
        open(1280, 900, info);
        String id = http.submitJson(Map.of("name", "focus keeper", "dockerfile", DOCKERFILE));
        awaitPage(backend.url() + "/", "#jobs-body tr[data-job-id='" + id + "']");
        String link = "#jobs-body tr[data-job-id='" + id + "'] .col-name a";
        browser.script("window.__focused = document.querySelector(arguments[0]); window.__focused.focus();"
                + " window.__said = []; new MutationObserver(() => window.__said.push(document.getElementById('announce')"
                + ".textContent)).observe(document.getElementById('announce'), {childList: true, characterData: true, subtree: true});", link);
        backend.advance(id, JobStatus.BUILDING);
        browser.await(WAIT, "the row BUILDING", d -> browser.text("#jobs-body tr[data-job-id='" + id + "'] .col-status").equals("BUILDING"));
        String before = browser.text("#jobs-updated");
        browser.await(WAIT, "another refresh", d -> !browser.text("#jobs-updated").equals(before));
        assertThat(browser.script("return document.activeElement === window.__focused;")).as("focus kept").isEqualTo(true);

        @SuppressWarnings("unchecked")
        List<String> said = (List<String>) browser.script("return window.__said;");
        assertThat(said).containsExactly("focus keeper is now BUILDING.");
        // The one polite live region is the announcer: the table and the view around it announce nothing.
        assertThat(browser.attributes("[aria-live]", "id")).containsExactly("announce");
        assertThat(browser.findAll("#view[role], #view [role='status'], #view [role='log']")).isEmpty();

        // The job's own page: Re-run keeps the focus while the job moves on, and the status is said once.
        awaitPage(backend.url() + "/#/jobs/" + id, "#rerun-job:enabled");
        browser.script("window.__focused = document.getElementById('rerun-job'); window.__focused.focus();");
        backend.advance(id, JobStatus.SCANNING);
        browser.await(WAIT, "SCANNING shown", d -> browser.text("#job-status").equals("SCANNING"));
        browser.await(WAIT, "the sentence", d -> browser.content("#announce").equals("focus keeper is now SCANNING."));
        assertThat(browser.script("return document.activeElement === window.__focused;")).as("focus kept").isEqualTo(true);
    }

    @Test
    void reRunSubmitsTheSameDockerfileAsANewJob(TestInfo info) throws Exception {
        open(1280, 900, info);
        awaitPage(backend.url() + "/#/jobs/" + succeeded, "#rerun-job:enabled");
        browser.find("#rerun-job").click();
        String url = browser.await(WAIT, "the new job's page", d -> d.getCurrentUrl().matches(".*#/jobs/[0-9a-f-]{36}$")
                && !d.getCurrentUrl().endsWith(succeeded) ? d.getCurrentUrl() : null);
        String again = url.substring(url.lastIndexOf('/') + 1);
        assertThat(http.get("/jobs/" + again + "/dockerfile").body()).isEqualTo(DOCKERFILE);
        JsonNode job = http.job(again);
        assertThat(job.get("name").asText()).isEqualTo("resnet-50 tuned learning rate");
        assertThat(job.get("status").asText()).isEqualTo("QUEUED");
        browser.await(WAIT, "its name", d -> browser.text("#job-title").equals("resnet-50 tuned learning rate"));
    }

    @Test
    void aJobPageHasBuildAndRunOutputApartItsDownloadItsRankAndItsIdToCopy(TestInfo info) throws Exception {
        open(1280, 1200, info);
        awaitPage(backend.url() + "/#/jobs/" + succeeded, "#job-run-output");
        assertThat(browser.content("#job-build-output")).contains("load build definition").doesNotContain("epoch");
        assertThat(browser.content("#job-run-output")).contains("epoch 2 loss 0.41").doesNotContain("build definition");
        assertThat(browser.shown("#job-live")).as("the live output gives way to the two logs").isFalse();
        browser.await(WAIT, "the rank", d -> browser.text("#job-rank-number").equals("#1"));
        assertThat(browser.text("#job-rank")).contains("by performance (highest first)");

        String href = browser.find("#download-log").getDomAttribute("href");
        assertThat(href).isEqualTo("/jobs/" + succeeded + "/logs?download=true");
        assertThat(browser.find("#download-log").getDomAttribute("download")).isEqualTo("perfbox-" + succeeded + ".log");
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) ((JavascriptExecutor) browser.driver()).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " fetch(arguments[0]).then(async r => done({disposition: r.headers.get('content-disposition'),"
                + " type: r.headers.get('content-type'), body: await r.text()}));", href);
        assertThat(file.get("disposition")).isEqualTo("attachment; filename=\"perfbox-" + succeeded + ".log\"");
        assertThat((String) file.get("type")).startsWith("text/plain");
        assertThat((String) file.get("body")).contains("load build definition", "epoch 2 loss 0.41");

        browser.find("#copy-id").click();
        browser.await(WAIT, "copied or selected", d -> !browser.text("#copy-note").isEmpty());
        Object copied = browser.script("return getSelection().toString();");
        if (browser.text("#copy-note").startsWith("selected")) {
            assertThat(copied).isEqualTo(succeeded);
        }
    }

    @Test
    void onAServerThatNeedsAKeyDownloadLogSavesTheSameFileFetchedWithTheKey(TestInfo info) throws Exception {
        open(1280, 900, info);
        try (ConsoleFakeBackend team = new ConsoleFakeBackend(true)) {
            String key = team.keys.create("team-a").key();
            Http keyed = new Http(team.url(), Map.of("x-api-key", key));
            String id = keyed.submitJson(Map.of("name", "keyed", "dockerfile", DOCKERFILE));
            team.output(id, LogKind.BUILD, "built <b>bold</b>\n");
            team.succeed(id, 0.5, Map.of());
            browser.open(team.url() + "/");
            browser.script("sessionStorage.setItem('perfbox.apiKey', arguments[0]);", key);
            awaitPage(team.url() + "/#/jobs/" + id, "#job-run-output");
            // What the click saves: the anchor it makes, caught before the browser follows it.
            // (The page's policy lets no fetch read a blob: URL, so the blob is caught as it is made.)
            browser.script("window.__saved = null; const make = URL.createObjectURL;"
                    + " URL.createObjectURL = (blob) => { window.__blob = blob; return make(blob); };"
                    + " const click = HTMLAnchorElement.prototype.click;"
                    + " HTMLAnchorElement.prototype.click = function () { if (this.href.startsWith('blob:')) {"
                    + " window.__saved = {href: this.href, name: this.download}; } else { click.call(this); } };");
            browser.find("#download-log").click();
            browser.await(WAIT, "the file saved", d -> browser.script("return window.__saved;") != null);
            @SuppressWarnings("unchecked")
            Map<String, Object> saved = (Map<String, Object>) ((JavascriptExecutor) browser.driver())
                    .executeAsyncScript("const done = arguments[arguments.length - 1]; const s = window.__saved;"
                            + " window.__blob.text().then(body => done({name: s.name, type: window.__blob.type, body}));");
            assertThat(saved.get("name")).isEqualTo("perfbox-" + id + ".log");
            assertThat(saved.get("type")).isEqualTo("application/octet-stream");
            assertThat((String) saved.get("body")).isEqualTo(keyed.get("/jobs/" + id + "/logs?download=true").body())
                    .contains("built <b>bold</b>");
            assertThat(browser.text("#job-action-error")).isEmpty();
        }
    }

    @Test
    void findingsAreSortedMostSevereFirstWithTheOnesThatBlockedTheRunMarked(TestInfo info) throws Exception {
        open(1280, 1200, info);
        awaitPage(backend.url() + "/#/jobs/" + vulnerable, "#scan-findings");
        assertThat(browser.texts("#scan-findings tbody tr td:first-child"))
                .containsExactly("CVE-2024-0001", "CVE-2024-0004", "CVE-2024-0002", "CVE-2024-0003");
        assertThat(browser.attributes("#scan-findings tbody tr", "data-blocking")).containsExactly("true", "true", "false", "false");
        assertThat(browser.texts("#scan-findings tbody .col-blocking")).containsExactly("blocks the run", "blocks the run", "", "");
        browser.screenshot("job-vulnerable");
    }

    @Test
    void theLeaderboardHasAColumnForEveryMetricAndItsBestSoFarLineSteps(TestInfo info) throws Exception {
        open(1280, 1000, info);
        awaitPage(backend.url() + "/#/leaderboard?metric=accuracy&order=desc", "#history-chart");
        assertThat(browser.attributes("#leaderboard-table thead th[data-metric]", "data-metric"))
                .containsExactly("accuracy", "f1", "latency_ms", "performance");
        String row = "#leaderboard-body tr[data-job-id='" + succeeded + "']";
        assertThat(browser.texts(row + " td.col-metric")).containsExactly("0.86", "37.5", "0.91");
        // Each segment of the best-so-far line is level or upright: a step, never a slope.
        String d = browser.attributes("#history-best", "d").getFirst();
        List<double[]> points = Arrays.stream(d.split(" ")).map(p -> p.substring(1).split(","))
                .map(p -> new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])}).toList();
        assertThat(points).hasSizeGreaterThan(2);
        for (int i = 1; i < points.size(); i++) {
            double[] a = points.get(i - 1);
            double[] b = points.get(i);
            assertThat(a[0] == b[0] || a[1] == b[1]).as("segment %s: %s", i, d).isTrue();
        }
        browser.screenshot("leaderboard-metrics");
        // The README's picture of the leaderboard (docs/console.png): small, the page's top.
        browser.driver().manage().window().setSize(new Dimension(1000, 880));
        readmeScreenshot("console");
    }

    @Test
    void aServerThatStopsAnsweringShowsABannerUntilItAnswersAgain(TestInfo info) throws Exception {
        open(1280, 900, info);
        try (ConsoleFakeBackend other = new ConsoleFakeBackend()) {
            awaitPage(other.url() + "/", "#jobs-empty");
            assertThat(browser.shown("#server-banner")).isFalse();
            other.stop();
            browser.await(WAIT, "the banner", d -> browser.shown("#server-banner"));
            assertThat(browser.text("#server-banner")).contains("does not answer", other.url());
            browser.screenshot("server-unreachable");
            other.restart();
            browser.await(WAIT, "the banner gone", d -> !browser.shown("#server-banner"));
        }
    }

    @Test
    void tenantTextThatWouldBeMarkupShowsAsTextOnEveryPage(TestInfo info) throws Exception {
        open(1280, 1000, info);
        awaitPage(backend.url() + "/", "#jobs-body tr[data-job-id='" + hostile + "']");
        assertThat(browser.text("#jobs-body tr[data-job-id='" + hostile + "'] .col-name")).isEqualTo(HOSTILE + " name");
        awaitPage(backend.url() + "/#/jobs/" + hostile, "#job-build-output");
        browser.await(WAIT, "the Dockerfile", d -> !browser.content("#job-dockerfile").isEmpty());
        assertThat(browser.text("#job-title")).isEqualTo(HOSTILE + " name");
        assertThat(browser.text("#job-description")).isEqualTo(HOSTILE + " description");
        assertThat(browser.text("#failure-message")).isEqualTo("message " + HOSTILE);
        assertThat(browser.content("#job-build-output")).contains("log " + HOSTILE, "<script>window.__pwned=2</script>");
        assertThat(browser.content("#job-dockerfile")).contains("echo '" + HOSTILE + "'");
        assertThat(browser.findAll("#view img, #view script")).isEmpty();
        assertThat(browser.script("return window.__pwned === undefined;")).isEqualTo(true);
    }
}
