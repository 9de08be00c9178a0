package io.pushgateway.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.cluster.ClusterNode;
import io.pushgateway.gateway.config.ConfigException;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.VertxMeters;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts a gateway from the command line: defaults, then {@code --config file.json}, then
 * {@code PUSH_GATEWAY_*} environment variables, then flags. SIGTERM stops it gracefully.
 */
@Command(name = "push-gateway", mixinStandardHelpOptions = true, version = "push-gateway 0.1.0",
  description = "Serves one event stream over WebSocket, Server-Sent Events, long polling and short polling.",
  footer = {"", "Every option of the JSON config can also be set as PUSH_GATEWAY_<KEY> (e.g. "
    + "PUSH_GATEWAY_HISTORY_SIZE=5000) or with --set key=value."})
public final class GatewayMain implements Callable<Integer> {

  private static final Logger LOG = System.getLogger(GatewayMain.class.getName());

  @Option(names = "--config", paramLabel = "FILE", description = "JSON config file")
  private Path configFile;

  @Option(names = "--host", description = "interface to bind (default 0.0.0.0)")
  private String host;

  @Option(names = "--port", description = "HTTP port (default 8080; 0 picks a free one)")
  private Integer port;

  @Option(names = "--transports", paramLabel = "LIST", description = "transports to serve (default ws,sse,long,short)")
  private String transports;

  @Option(names = "--allowed-origins", paramLabel = "LIST", description = "extra allowed origins, or *")
  private String allowedOrigins;

  @Option(names = "--webroot", paramLabel = "DIR", description = "serve / from this directory instead of the bundled page")
  private String webRoot;

  @Option(names = "--demo", description = "publish a demo ticker to topic demo.ticker")
  private Boolean demo;

  @Option(names = "--demo-rate", paramLabel = "N", description = "demo events per second (default 2)")
  private Double demoRate;

  @Option(names = "--cluster", description = "run as a node of a Hazelcast cluster (default: one in-memory node)")
  private Boolean cluster;

  @Option(names = "--cluster-host", paramLabel = "HOST", description = "address for cluster traffic (default: picked by Hazelcast)")
  private String clusterHost;

  @Option(names = "--cluster-port", paramLabel = "PORT", description = "Hazelcast member port (default 5701)")
  private Integer clusterPort;

  @Option(names = "--cluster-members", paramLabel = "LIST", description = "host:port of members to join, comma-separated")
  private String clusterMembers;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any config option, e.g. --set historySize=5000")
  private Map<String, String> settings = Map.of();

  public static void main(String[] args) {
    poolEveryWriteInFlight();
    System.exit(new CommandLine(new GatewayMain()).execute(args));
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
      System.err.println("push-gateway: could not join the cluster: " + e.getMessage());
      return 1;
    }
    Gateway gateway;
    try {
      GatewayMetrics metrics = new GatewayMetrics(registry);
      gateway = (node != null ? Gateway.deploy(node, config, metrics) : Gateway.deploy(vertx, config, metrics))
        .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("push-gateway: could not start: " + e.getMessage());
      vertx.close();
      return 1;
    }
    LOG.log(Level.INFO, "push-gateway listening on http://{0}:{1,number,#} (transports {2})",
      config.host(), gateway.port(), config.transports());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, gateway), "push-gateway-shutdown"));
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Sizes Netty's recycler, which hands out the views an event's writes use and the write queues'
   * entries, for a fan-out: one sweep keeps a write in flight per connection, tens of thousands
   * on one event loop. By default a thread keeps 4,096 of each and pools one new object in eight,
   * so most of a large sweep's views would be new garbage. Must run before Netty's classes load;
   * {@code -D} options on the command line still win.
   */
  private static void poolEveryWriteInFlight() {
    System.getProperties().putIfAbsent("io.netty.recycler.maxCapacityPerThread", "65536");
    System.getProperties().putIfAbsent("io.netty.recycler.ratio", "1");
  }

  /**
   * Graceful stop on SIGTERM, bounded by {@code shutdownTimeoutSeconds}. Vert.x is closed from
   * this thread once the drain is over, not from a callback of the drain: that callback runs on an
   * event loop (the drain delay's timer), and an event loop cannot wait for its own shutdown.
   */
  private static void stop(Vertx vertx, Gateway gateway) {
    long timeoutNanos = TimeUnit.SECONDS.toNanos(gateway.config().shutdownTimeoutSeconds());
    long deadline = System.nanoTime() + timeoutNanos;
    LOG.log(Level.INFO, "push-gateway stopping (at most {0} s)", gateway.config().shutdownTimeoutSeconds());
    try {
      gateway.close().await(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "graceful stop did not finish in time: {0}", e.toString());
    }
    try {
      vertx.close().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Vert.x did not close in time: {0}", e.toString());
    }
  }

  private JsonObject mergedConfig() throws IOException {
    JsonObject json = new JsonObject();
    if (configFile != null) {
      json.mergeIn(new JsonObject(Files.readString(configFile)));
    }
    json.mergeIn(GatewayConfig.fromEnvironment(System.getenv()));
    settings.forEach(json::put);
    putIfSet(json, "host", host);
    putIfSet(json, "port", port);
    putIfSet(json, "transports", transports);
    putIfSet(json, "allowedOrigins", allowedOrigins);
    putIfSet(json, "webRoot", webRoot);
    putIfSet(json, "demo", demo);
    putIfSet(json, "demoRate", demoRate);
    putIfSet(json, "cluster", cluster);
    putIfSet(json, "clusterHost", clusterHost);
    putIfSet(json, "clusterPort", clusterPort);
    putIfSet(json, "clusterMembers", clusterMembers);
    return json;
  }

  private static void putIfSet(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
