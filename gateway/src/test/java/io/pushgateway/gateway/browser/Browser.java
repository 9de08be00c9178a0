package io.pushgateway.gateway.browser;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium from the system packages ({@code chromium}, {@code chromium-driver}), never a
 * downloaded one. {@code CHROME_BIN} and {@code CHROMEDRIVER} override the Debian paths.
 */
public final class Browser implements AutoCloseable {

  static final String CHROME_BIN = env("CHROME_BIN", "/usr/bin/chromium");
  static final String CHROMEDRIVER = env("CHROMEDRIVER", "/usr/bin/chromedriver");
  /** Longest any single browser-side condition may take before the test fails. */
  static final Duration WAIT = Duration.ofSeconds(30);

  final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Skips the calling test class when Chromium is missing, except on CI ({@code CI=true}), where a
   * missing browser must fail the build instead of silently dropping the browser tests.
   */
  public static void requireChromium() {
    String missing = !new File(CHROME_BIN).canExecute() ? CHROME_BIN
      : !new File(CHROMEDRIVER).canExecute() ? CHROMEDRIVER
      : null;
    if (missing == null) {
      return;
    }
    String message = missing + " not found: install chromium and chromium-driver,"
      + " or point CHROME_BIN and CHROMEDRIVER at them";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  public static Browser start() {
    // Selenium warns at length when it has no DevTools bindings for this exact Chromium version;
    // the tests use WebDriver only.
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
    Path profile;
    try {
      profile = Files.createTempDirectory("push-gateway-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions()
      .setBinary(CHROME_BIN)
      .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--user-data-dir=" + profile);
    // the page's console, so a test can hold it to "no errors" (a missing favicon shows there too)
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(new File(CHROMEDRIVER))
      .usingAnyFreePort()
      .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.manage().timeouts().scriptTimeout(WAIT);
    return new Browser(driver, profile);
  }

  public void open(String url) {
    driver.get(url);
  }

  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Runs a script that calls its last argument when done; bounded by the script timeout. */
  public Object jsAsync(String script, Object... args) {
    return driver.executeAsyncScript(script, args);
  }

  /** Errors the page's console has shown since the last call. */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
      .map(LogEntry::getMessage)
      .toList();
  }

  public <T> T await(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).withMessage(what).until(condition);
  }

  /** Waits until {@code script} returns a truthy value, and returns it. */
  public Object awaitJs(String what, String script, Object... args) {
    return await(what, d -> {
      Object value = js(script, args);
      return value == null || Boolean.FALSE.equals(value) ? null : value;
    });
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temp profile is harmless
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
