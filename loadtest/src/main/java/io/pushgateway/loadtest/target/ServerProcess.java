package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** A server the load test started as a process of its own on a loopback port, and stops. */
abstract class ServerProcess implements Target {
  protected final Process process;
  protected final Endpoint endpoint;

  ServerProcess(Process process, Endpoint endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  @Override
  public List<Endpoint> endpoints() {
    return List.of(endpoint);
  }

  /** The process started; its CPU and memory are read with its descendants'. */
  @Override
  public OptionalLong pid() {
    return OptionalLong.of(process.pid());
  }

  /**
   * Waits until {@code GET path} answers {@code expected}, something only this very server says
   * (another process may have taken the port meanwhile), and {@code alsoReady} holds.
   *
   * @param output what the server said, for the error when it died or never answered
   */
  protected void awaitAnswer(String name, String path, String expected, BooleanSupplier alsoReady, Duration timeout,
                             Supplier<String> output) {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI uri = URI.create(endpoint + path);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it answered; "
          + output.get());
      }
      if (expected.equals(answer(uri)) && alsoReady.getAsBoolean()) {
        return;
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new IllegalStateException(name + " did not answer within " + timeout.toSeconds() + " s; " + output.get());
  }

  /** The body of a 200 answer to a GET, or null. */
  private static String answer(URI uri) {
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try (InputStream in = c.getInputStream()) {
        return c.getResponseCode() == 200 ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : null;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** The first line a command prints, or "unknown" when it cannot run or fails: for versions in reports. */
  static String firstLine(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor() == 0 && !text.isEmpty() ? text.lines().findFirst().orElse("unknown") : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** SIGTERM first, so the server stops as in production (the gateway drains), then SIGKILL if it hangs. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
