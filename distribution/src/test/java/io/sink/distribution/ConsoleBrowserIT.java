package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The fleet console's page in a real headless browser (Debian's chromium through its chromedriver,
 * which {@code .ci/run} installs when missing), against the distribution's server with a connected
 * client: log in, see the client, add a sensor to it and see its readings drawn within seconds,
 * remove it; a hostile text stays text. Screenshots: {@code target/console-screenshot.png} (the
 * sensor's readings) and {@code target/console-screenshot-removed.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    static final String CHROMIUM = System.getProperty("sink.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("sink.chromedriver", "/usr/bin/chromedriver");
    static final Duration SEEN = Duration.ofSeconds(30);

    private SinkDistribution sink;
    private ConsoleHttp console;
    private WebDriver browser;
    private WebDriverWait wait;
    private Path target;

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of(CHROMIUM)).as("chromium (apt-get install chromium chromium-driver; .ci/run does)")
                .isExecutable();
        assertThat(Path.of(CHROMEDRIVER)).as("chromedriver (apt-get install chromium-driver; .ci/run does)")
                .isExecutable();
        target = Path.of(System.getProperty("sink.work")).getParent();
        sink = SinkDistribution.unpack("ConsoleBrowserIT").withCertificates();
        console = ConsoleHttp.startServerAndClient(sink);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1100", "--user-data-dir=" + Files.createTempDirectory(target, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, SEEN, Duration.ofMillis(200));
        // the page re-renders its tables every 2 s: an element found may be replaced before it is read
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (sink != null) {
                sink.close(); // also when the browser did not quit: no server and client left running
            }
        }
    }

    @Test
    @Order(1)
    void logIn() {
        browser.get(console.base);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password"))).sendKeys("wrong");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBe(By.id("login-error"), "wrong password"));
        WebElement password = browser.findElement(By.id("password"));
        password.clear();
        password.sendKeys(console.password);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("main-view")));
        // the session cookie is not readable by scripts
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return document.cookie"))
                .isEqualTo("");
    }

    @Test
    @Order(2)
    void theConnectedClientIsListed() {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-client='" + CLIENT_ID + "'] td.state"), "connected"));
        String rowText = wait.until(d -> d.findElement(clientRow()).getText());
        assertThat(rowText).contains(CLIENT_ID).contains("from 127.0.0.1:");
    }

    @Test
    @Order(3)
    void peerTextStaysText() {
        onFreshElement(() -> browser.findElement(clientRow()).click());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("client-view")));
        String hostile = "<img id=pwned src=x onerror=\"document.title='pwned'\">";
        browser.findElement(By.id("q-machine")).sendKeys("stolen");
        browser.findElement(By.id("q-human")).sendKeys(hostile);
        browser.findElement(By.id("quarantine")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-client='" + CLIENT_ID + "'] td.quarantine"), "quarantined: stolen / " + hostile));
        assertThat(browser.findElements(By.id("pwned"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Sink fleet console");
        browser.findElement(By.id("unquarantine")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-client='" + CLIENT_ID + "'] td.quarantine"), "no"));
        sink.awaitConnected();
    }

    @Test
    @Order(4)
    void aSensorAddedOnThePageShowsItsReadings() throws Exception {
        browser.findElement(By.id("sensor-name")).sendKeys("greenhouse");
        WebElement period = browser.findElement(By.id("sensor-period"));
        period.clear();
        period.sendKeys("500");
        long clicked = System.nanoTime();
        browser.findElement(By.id("add")).click();
        By row = By.xpath("//table[@id='sensors']//tr[td[@class='name' and text()='greenhouse']]");
        wait.until(ExpectedConditions.presenceOfElementLocated(row));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.xpath("//table[@id='sensors']//tr[td[@class='name' and text()='greenhouse']]/td[contains(@class,'delivery')]"),
                "ACKED"));
        String id = wait.until(d -> d.findElement(row).getAttribute("data-sensor"));
        By chart = By.cssSelector("div.chart[data-key='" + id + "']");
        wait.until(ExpectedConditions.presenceOfElementLocated(chart));
        long seenMillis = SinkDistribution.millisSince(clicked);
        // a few points, so that the screenshot shows lines
        wait.until(d -> d.findElement(chart).findElement(By.cssSelector("polyline.t")).getAttribute("points")
                .split(" ").length >= 3);
        String chartText = wait.until(d -> d.findElement(chart).getText());
        assertThat(chartText).startsWith("greenhouse (server)")
                .contains("latest: temperature");
        System.out.printf("ConsoleBrowserIT: sensor added on the page to its chart: %d ms%n", seenMillis);
        screenshot("console-screenshot.png");

        // renamed: the readings keep their key (the uuid), the chart its new label
        onFreshElement(() -> browser.findElement(row).findElement(By.className("rename")).sendKeys("hothouse"));
        onFreshElement(() -> browser.findElement(row).findElement(By.className("rename-button")).click());
        By renamed = By.cssSelector("tr[data-sensor='" + id + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(renamed, "hothouse"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(chart, "hothouse (server)"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(renamed, "ACKED"));

        onFreshElement(() -> browser.findElement(renamed).findElement(By.className("remove-button")).click());
        wait.until(d -> {
            List<WebElement> rows = d.findElements(renamed);
            return rows.isEmpty() || rows.get(0).getText().contains("removal ACKED");
        });
        sink.awaitExec("client", "sensor:list", r -> r.status() == 0 && !r.out().contains(id),
                SinkDistribution.CHANGE);
        screenshot("console-screenshot-removed.png");
    }

    /** Runs an action on elements found afresh, again if the page replaced them meanwhile. */
    private void onFreshElement(Runnable action) {
        wait.until(d -> {
            action.run();
            return true;
        });
    }

    private static By clientRow() {
        return By.cssSelector("tr[data-client='" + CLIENT_ID + "']");
    }

    private void screenshot(String name) throws Exception {
        Path shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target.resolve(name))).isGreaterThan(1000);
    }
}
