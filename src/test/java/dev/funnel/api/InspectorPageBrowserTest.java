package dev.funnel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.testing.FunnelServerExtension;
import dev.funnel.testing.FunnelServerExtension.RunningServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The inspector page in a real headless browser: Debian's {@code chromium} driven through its
 * {@code chromedriver} (both from apt; {@code scripts/test} installs them). Nothing is downloaded:
 * the driver and the browser binary are given explicitly, so Selenium Manager never runs. Without
 * them the test is skipped with a message, so a build without a browser stays green, unless the
 * environment says {@code FUNNEL_BROWSER_TEST=required} (scripts/test, hence CI, does): then their
 * absence fails the test.
 *
 * <p>{@code -Dfunnel.inspector.screenshot=FILE} saves a PNG of the loaded page (docs/inspector.png
 * is made that way).
 */
@ExtendWith(FunnelServerExtension.class)
class InspectorPageBrowserTest {
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("funnel.chromedriver", "/usr/bin/chromedriver"));
  static final Path CHROMIUM = Path.of(System.getProperty("funnel.chromium", "/usr/bin/chromium"));

  private static ChromeDriver driver;
  private static Path profileDir;

  private final RunningServer s;

  InspectorPageBrowserTest(RunningServer s) {
    this.s = s;
  }

  /**
   * Starts the browser for the first test; every test is skipped (reported as such, with the
   * reason) when the browser or its driver is missing.
   */
  @BeforeEach
  void browser() throws IOException {
    boolean present = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
    String why =
        "the browser test needs "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + " (apt-get install chromium chromium-driver; scripts/test does it)";
    if ("required".equals(System.getenv("FUNNEL_BROWSER_TEST"))) {
      assertTrue(present, why);
    }
    Assumptions.assumeTrue(present, "skipped: " + why);
    if (driver != null) {
      return;
    }
    profileDir = Files.createTempDirectory("funnel-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,1000",
        "--user-data-dir=" + profileDir);
    // An explicit driver executable and browser binary: Selenium Manager has nothing to find.
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profileDir != null) {
      try (var files = Files.walk(profileDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // chromium may still be writing into its profile while it exits: a temp dir left behind
      }
    }
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  private UserProfile knownUser() {
    return s.world.profiles.stream()
        .filter(p -> p.history().size() >= 10)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void inspector_knownUser_showsHistoryTwentyRecommendationsAndTheFunnel() {
    UserProfile user = knownUser();
    driver.get(s.url("/?user=" + user.userId()));
    List<WebElement> rows =
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.rec"), 20));
    assertEquals(20, rows.size());
    // History: one line per stored watch, the newest first with its topic.
    List<WebElement> history = driver.findElements(By.cssSelector("#history li.history-item"));
    assertEquals(user.history().size(), history.size());
    String newest = user.history().get(user.history().size() - 1).video();
    String topic = s.world.bundle.catalog().topic(s.world.bundle.catalog().index(newest));
    assertTrue(history.get(0).getText().contains(topic), history.get(0).getText());
    // The funnel: catalogue → retrieved → returned, with the counts the API reported.
    String funnel = driver.findElement(By.id("funnel")).getText();
    assertTrue(funnel.contains(String.valueOf(s.world.bundle.catalog().size())), funnel);
    assertTrue(funnel.contains("300"), funnel);
    assertTrue(funnel.contains("20 ·"), funnel);
    assertTrue(driver.findElement(By.id("error")).getAttribute("hidden") != null);
  }

  @Test
  void inspector_clickRecommendedVideo_showsItsRelatedVideos() throws IOException {
    driver.get(s.url("/?user=" + knownUser().userId() + "&count=20"));
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.rec"), 20));
    WebElement first = driver.findElement(By.cssSelector("tr.rec a.video-link"));
    String video = first.getAttribute("data-video");
    first.click();
    List<WebElement> related =
        waiting()
            .until(
                ExpectedConditions.numberOfElementsToBe(
                    By.cssSelector("#related li.related-item"), 10));
    assertEquals(10, related.size());
    for (WebElement r : related) {
      assertFalse(video.equals(r.getAttribute("data-video")), "the playing video is excluded");
    }
    assertTrue(driver.findElement(By.id("related-title")).getText().contains(video));
    assertTrue(
        driver
            .findElement(By.cssSelector("tr.rec[data-video='" + video + "']"))
            .getAttribute("class")
            .contains("selected"));
    String screenshot = System.getProperty("funnel.inspector.screenshot");
    if (screenshot != null) {
      Files.copy(
          driver.getScreenshotAs(OutputType.FILE).toPath(),
          Path.of(screenshot),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void inspector_noUser_offersStoredUsersToPick() {
    driver.get(s.url("/"));
    List<WebElement> picks =
        waiting()
            .until(
                ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("a.pick-user"), 0));
    String user = picks.get(0).getText();
    picks.get(0).click();
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr.rec"), 20));
    assertEquals(
        user,
        ((JavascriptExecutor) driver)
            .executeScript("return document.getElementById('user-input').value"));
  }
}
