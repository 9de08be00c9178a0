package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.net.ByteCountingProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The gateway in its own JVM on a free loopback port, so its CPU and memory are measured apart from
 * the load generator's. The classpath is the one this class came from: the fat jar (which carries
 * the gateway) when run with {@code java -jar}, the build's classpath in tests.
 */
public final class SpawnedGateway extends ServerProcess {
  public static final String MAIN_CLASS = "io.pushgateway.gateway.GatewayMain";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  public static final String BASELINE_CLASS = "io.pushgateway.loadtest.target.BaselineServer";

  /** A JVM option that chooses (or unchooses) a garbage collector, such as {@code -XX:+UseG1GC}. */
  private static final Pattern COLLECTOR = Pattern.compile("-XX:[+-]Use\\w+GC");

  private final Path log;
  private final String kind;

  private SpawnedGateway(Process process, Endpoint endpoint, Path log, String kind) {
    super(process, endpoint);
    this.log = log;
    this.kind = kind;
  }

  /**
   * A started gateway runs as the README tells users to run it: the serial collector, a small
   * initial heap (its resident memory is then what the load needs, not 1/64 of the machine) and
   * survivor spaces that hold what waiting polls keep, no statistics file (whose sampler wakes every
   * 50 ms). {@code userOptions} (space separated) come
   * after, so they win; one that names a collector replaces the serial one (the JVM refuses two).
   */
  public static List<String> jvmOptions(String userOptions) {
    List<String> user = Arrays.stream(userOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    List<String> options = new ArrayList<>();
    if (user.stream().noneMatch(o -> COLLECTOR.matcher(o).matches())) {
      options.add("-XX:+UseSerialGC");
    }
    options.addAll(List.of("-Xms16m", "-XX:SurvivorRatio=4", "-XX:-UsePerfData"));
    options.addAll(user);
    return options;
  }

  /** Starts the gateway and returns once it answers {@code GET /ready} with 200. */
  public static SpawnedGateway start(Path log, List<String> jvmOptions, List<String> gatewayArgs) {
    return start(MAIN_CLASS, "spawned", log, jvmOptions, gatewayArgs, null);
  }

  /**
   * Starts {@code mainClass} ({@link #MAIN_CLASS} or {@link #BASELINE_CLASS}, reported as
   * {@code kind}); with {@code cpus} (a taskset list such as "0") the process is pinned to those
   * cores, so the load generator can be kept on the others.
   */
  public static SpawnedGateway start(String mainClass, String kind, Path log, List<String> jvmOptions,
                                     List<String> gatewayArgs, String cpus) {
    int port = ByteCountingProxy.freePort();
    List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      cmd.addAll(List.of("taskset", "-c", cpus));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(mainClass);
    cmd.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port)));
    cmd.addAll(gatewayArgs);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      SpawnedGateway g = new SpawnedGateway(p, new Endpoint("127.0.0.1", port), log, kind);
      g.awaitReady();
      return g;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the gateway: " + String.join(" ", cmd), e);
    }
  }

  static String classpath() {
    try {
      Path here = Path.of(SpawnedGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(here) ? here.toString() : System.getProperty("java.class.path");
    } catch (URISyntaxException | RuntimeException e) {
      return System.getProperty("java.class.path");
    }
  }

  /** Polls /ready from this (driver) thread; a plain blocking client keeps event loops out of it. */
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    URI ready = URI.create(endpoint + "/ready");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the gateway exited with " + process.exitValue() + " before it was ready; "
          + "its output:\n" + tail());
      }
      if (answers200(ready)) {
        return;
      }
      try {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new IllegalStateException("the gateway was not ready within " + READY_TIMEOUT.toSeconds() + " s; its output:\n"
      + tail());
  }

  private static boolean answers200(URI uri) {
    try {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      int code = c.getResponseCode();
      c.disconnect();
      return code == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public String kind() {
    return kind;
  }
}
