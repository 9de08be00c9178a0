package io.pushgateway.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.cluster.ClusterNode;
import io.pushgateway.gateway.config.ConfigException;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.VertxMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts a gateway from the command line: defaults, then {@code --config file.json}, then
 * {@code PUSH_GATEWAY_*} environment variables, then flags. SIGTERM stops it gracefully.
 */
@Command(name = "push-gateway", mixinStandardHelpOptions = true, version = "push-gateway 0.1.0",
  description = "Serves one event stream over WebSocket, Server-Sent Events, long polling and short polling.")
public final class GatewayMain implements Callable<Integer> {

  static {
    // before the first logger exists: see StopLogging
    System.getProperties().putIfAbsent("java.util.logging.manager", StopLogging.class.getName());
    // Where the JDK has a flight recorder, Netty registers recorder events of its own, which loads
    // some 130 of the recorder's classes: 1-2 MB of an idle gateway's resident memory, for events
    // that debug Netty. -Dio.netty.jfr.enabled=true brings them back.
    System.getProperties().putIfAbsent("io.netty.jfr.enabled", "false");
  }

  private static final Logger LOG = System.getLogger(GatewayMain.class.getName());

  @Option(names = "--config", paramLabel = "FILE", description = "JSON config file")
  private Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any config option below, e.g. --set historySize=5000")
  private Map<String, String> settings = Map.of();

  @Spec
  private CommandSpec spec;

  /**
   * The flags that set one option each. Their help is the option's own description and default
   * from {@link GatewayConfig#OPTIONS}, so the two never disagree.
   */
  private static final List<Flag> FLAGS = List.of(
    new Flag("--host", "host", "HOST"),
    new Flag("--port", "port", "PORT"),
    new Flag("--transports", "transports", "LIST"),
    new Flag("--allowed-origins", "allowedOrigins", "LIST"),
    new Flag("--webroot", "webRoot", "DIR"),
    new Flag("--demo", "demo", null),
    new Flag("--demo-rate", "demoRate", "N"),
    new Flag("--cluster", "cluster", null),
    new Flag("--cluster-host", "clusterHost", "HOST"),
    new Flag("--cluster-port", "clusterPort", "PORT"),
    new Flag("--cluster-members", "clusterMembers", "LIST"));

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with its option flags and help generated from {@link GatewayConfig#OPTIONS}. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new GatewayMain());
    CommandSpec command = commandLine.getCommandSpec();
    for (Flag flag : FLAGS) {
      GatewayConfig.Option option = option(flag.key());
      OptionSpec.Builder builder = OptionSpec.builder(flag.name()).description(help(option));
      if (option.defaultValue() instanceof Boolean) {
        builder.type(Boolean.class).arity("0");
      } else {
        builder.type(String.class).paramLabel(flag.label());
      }
      command.addOption(builder.build());
    }
    List<String> footer = new ArrayList<>(List.of("", "Options with their defaults, for --set key=value, a JSON "
      + "config file or " + GatewayConfig.ENV_PREFIX + "<KEY> (e.g. " + GatewayConfig.ENV_PREFIX + "HISTORY_SIZE=5000):"));
    for (GatewayConfig.Option option : GatewayConfig.OPTIONS) {
      footer.add("  " + option.key() + "=" + option.defaultValue());
      footer.add("      " + option.description().replace("%", "%%"));
    }
    command.usageMessage().footer(footer.toArray(String[]::new));
    return commandLine;
  }

  /** What an option means and its default, as help text ({@code %} doubled: picocli formats it). */
  static String help(GatewayConfig.Option option) {
    String value = String.valueOf(option.defaultValue());
    return (option.description() + " (default " + (value.isEmpty() ? "empty" : value) + ")").replace("%", "%%");
  }

  private static GatewayConfig.Option option(String key) {
    return GatewayConfig.OPTIONS.stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow();
  }

  @Override
  public Integer call() throws Exception {
    GatewayConfig config;
    try {
      config = GatewayConfig.fromJson(mergedConfig());
    } catch (ConfigException | IOException | DecodeException e) {
      System.err.println("push-gateway: " + e.getMessage());
      return 2;
    }
    warmUp(config);
    // One registry for the gateway's, Vert.x's and the JVM's meters: one scrape shows them all.
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx;
    ClusterNode node = null;
    try {
      // A cluster node joins before it deploys anything: its log must reach the shared history.
      VertxOptions options = config.cluster() ? ClusterNode.options(config) : new VertxOptions();
      // epoll when its native library is on the classpath (NIO otherwise): a fan-out is one write
      // per connection, and epoll's costs less CPU per write than NIO's (docs/performance.md)
      options.setPreferNativeTransport(true);
      VertxBuilder builder = VertxMeters.builder(options, registry);
      if (config.cluster()) {
        node = ClusterNode.join(config, builder).await(120, TimeUnit.SECONDS);
        vertx = node.vertx();
      } else {
        vertx = builder.build();
      }
    } catch (Exception e) {
      LOG.log(Level.ERROR, "push-gateway could not join the cluster", e);
      return 1;
    }
    // The stop hook goes on before the gateway says it listens: a SIGTERM from then on drains.
    AtomicReference<Gateway> started = new AtomicReference<>();
    StopLogging.hold();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, started.get(), config),
      "push-gateway-shutdown"));
    try {
      GatewayMetrics metrics = new GatewayMetrics(registry);
      started.set((node != null ? Gateway.deploy(node, config, metrics) : Gateway.deploy(vertx, config, metrics))
        .await(60, TimeUnit.SECONDS));
      trimNativeMemory(vertx, config);
    } catch (Exception e) {
      // a failed deployment was logged by the gateway; only a start that hangs is news here
      if (e instanceof TimeoutException) {
        LOG.log(Level.ERROR, "push-gateway did not start within 60 s");
      }
      return 1;
    }
    Thread.currentThread().join();
    return 0;
  }

  /**
   * The warm-up ({@code warmUpSeconds}) runs before anything of the real gateway exists, so it
   * cannot touch its history, meters or limits. One that fails is logged and skipped: the gateway
   * serves without it, only its first clients wait for the JIT.
   */
  private static void warmUp(GatewayConfig config) {
    if (config.warmUpSeconds() == 0) {
      return;
    }
    LOG.log(Level.INFO, "warm-up: {0} s of traffic on a private copy of the gateway before it listens",
      config.warmUpSeconds());
    try {
      WarmUp.Report report = WarmUp.run(config, Duration.ofSeconds(config.warmUpSeconds()));
      LOG.log(Level.INFO, "warm-up done: {0}", report);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "warm-up failed, starting without it: {0}", e.toString());
    }
  }

  /**
   * The process owns its JVM, so it trims the C heap ({@link NativeMemoryTrim}); the first trim
   * comes once the gateway has started, when class loading and the first compilations are over.
   */
  private static void trimNativeMemory(Vertx vertx, GatewayConfig config) {
    if (config.trimNativeMemorySeconds() > 0) {
      NativeMemoryTrim.available().ifPresent(trim -> trim.schedule(vertx, config.trimNativeMemorySeconds()));
    }
  }

  /**
   * Graceful stop on SIGTERM (or exit), bounded by {@code shutdownTimeoutSeconds}. Vert.x is
   * closed from this thread once the drain is over, not from a callback of the drain: that callback
   * runs on an event loop (the drain delay's timer), and an event loop cannot wait for its own
   * shutdown.
   */
  private static void stop(Vertx vertx, Gateway gateway, GatewayConfig config) {
    long timeoutNanos = TimeUnit.SECONDS.toNanos(config.shutdownTimeoutSeconds());
    long deadline = System.nanoTime() + timeoutNanos;
    try {
      if (gateway != null) {
        gateway.close().await(timeoutNanos, TimeUnit.NANOSECONDS);
      }
    } catch (Exception e) {
      LOG.log(Level.WARNING, "graceful stop did not finish in time: {0}", e.toString());
    }
    try {
      vertx.close().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Vert.x did not close in time: {0}", e.toString());
    } finally {
      StopLogging.release();
    }
  }

  /**
   * The JDK's logging closes its handlers in a shutdown hook of its own, which runs at the same
   * time as the gateway's graceful stop: the stop's log lines would be lost. While the gateway
   * runs, that reset waits; the stop does it once it has logged its last line. Only in effect
   * when the JDK's logging is the backend and nobody chose another manager.
   */
  public static final class StopLogging extends LogManager {
    private static volatile boolean holding;

    public StopLogging() {
      super();
    }

    static void hold() {
      holding = true;
    }

    static void release() {
      holding = false;
      if (LogManager.getLogManager() instanceof StopLogging manager) {
        manager.reset();
      }
    }

    @Override
    public void reset() {
      if (!holding) {
        super.reset();
      }
    }
  }

  JsonObject mergedConfig() throws IOException {
    JsonObject json = new JsonObject();
    if (configFile != null) {
      json.mergeIn(new JsonObject(Files.readString(configFile)));
    }
    json.mergeIn(GatewayConfig.fromEnvironment(System.getenv()));
    settings.forEach(json::put);
    for (Flag flag : FLAGS) {
      Object value = spec.findOption(flag.name()).getValue();
      if (value != null) {
        json.put(flag.key(), value);
      }
    }
    return json;
  }

  /** A flag, the option it sets, and what its value looks like in the help. */
  private record Flag(String name, String key, String label) {
  }
}
