package io.perfbox.runtime.local.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (never a browser or driver downloaded at run time).
 * It reaches loopback only: every other host resolves to nothing and any other request goes to a dead proxy, so
 * neither the page nor Chromium's own background services reach the network. Screenshots go to
 * {@code target/console-screenshots/}.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots").toAbsolutePath();
    private static final String BROWSER = System.getenv().getOrDefault("PERFBOX_TEST_CHROMIUM", "/usr/bin/chromium");
    private static final String DRIVER = System.getenv().getOrDefault("PERFBOX_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Skipped without Chromium on a developer's machine; under CI=true (which installs it) a failure. */
    static HeadlessChromium start(int width, int height) throws IOException {
        boolean present = Files.isExecutable(Path.of(BROWSER)) && Files.isExecutable(Path.of(DRIVER));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs " + BROWSER + " and " + DRIVER + " (Debian's chromium and"
                    + " chromium-driver; .ci/run installs them)");
        }
        Assumptions.assumeTrue(present, "no " + BROWSER + " or " + DRIVER + ": apt-get install chromium chromium-driver");
        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory("perfbox-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-pings",
                "--proxy-server=http://127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return new HeadlessChromium(driver);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /*
     * The pages redraw what they refresh, so an element found a moment ago may be gone: these read in one step, in the
     * page, what the user sees now.
     */

    /** The text the element shows ("" when there is no such element, or it is hidden). */
    String text(String css) {
        return (String) script("const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';", css);
    }

    /** The text each matching element shows, in the page's order. */
    @SuppressWarnings("unchecked")
    List<String> texts(String css) {
        return (List<String>) script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());", css);
    }

    /** The attribute of each matching element, in the page's order. */
    @SuppressWarnings("unchecked")
    List<String> attributes(String css, String name) {
        return (List<String>) script("return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]));",
                css, name);
    }

    /** The element's whole text, also what its box scrolls out of view ("" when there is no such element). */
    String content(String css) {
        return (String) script("const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", css);
    }

    /** Whether the element is there and shown. */
    boolean shown(String css) {
        return (Boolean) script("const e = document.querySelector(arguments[0]);"
                + " return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0;", css);
    }

    <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** Saves what the page shows as {@code target/console-screenshots/NAME.png}. */
    Path screenshot(String name) throws IOException {
        Path target = SCREENSHOTS.resolve(name + ".png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
