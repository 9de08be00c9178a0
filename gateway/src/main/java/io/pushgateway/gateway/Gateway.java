package io.pushgateway.gateway;

import io.pushgateway.gateway.api.HttpServerVerticle;
import io.pushgateway.gateway.api.MetricsServerVerticle;
import io.pushgateway.gateway.cluster.ClusterNode;
import io.pushgateway.gateway.cluster.HazelcastEventLog;
import io.pushgateway.gateway.cluster.HazelcastPresence;
import io.pushgateway.gateway.cluster.HazelcastRevocations;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.LocalEventLog;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.demo.DemoTicker;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.WireMeters;
import io.pushgateway.gateway.presence.LocalPresence;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.presence.PresenceLimits;
import io.pushgateway.gateway.presence.PresenceView;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Revocations;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running gateway inside a {@link Vertx}: the event log, one HTTP verticle per event loop, and
 * the demo ticker when asked for. Embeddable: tests and the load test start it in-process.
 */
public final class Gateway {

  private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

  private final Vertx vertx;
  private final GatewayConfig config;
  private final EventLog log;
  private final SubscriberCounts counts;
  private final GatewayMetrics metrics;
  private final List<HttpServerVerticle> servers;
  /** Null when presence is off. */
  private final Presence presence;
  private final Revocations revocations;
  private final String serversDeployment;
  private final AtomicBoolean draining;
  /** The one timer that sweeps the limits and meters every server shares. */
  private final long sweepTimer;
  private String demoDeployment;
  private String metricsDeployment;

  private Gateway(Vertx vertx, GatewayConfig config, EventLog log, Presence presence, Revocations revocations,
                  SubscriberCounts counts, GatewayMetrics metrics, List<HttpServerVerticle> servers, String serversDeployment,
                  AtomicBoolean draining, long sweepTimer) {
    this.sweepTimer = sweepTimer;
    this.presence = presence;
    this.revocations = revocations;
    this.vertx = vertx;
    this.config = config;
    this.log = log;
    this.counts = counts;
    this.metrics = metrics;
    this.servers = servers;
    this.serversDeployment = serversDeployment;
    this.draining = draining;
  }

  public static Future<Gateway> deploy(Vertx vertx, GatewayConfig config) {
    return deploy(vertx, config, new GatewayMetrics());
  }

  public static Future<Gateway> deploy(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
    return deploy(vertx, null, config, metrics);
  }

  /** A node of a gateway cluster ({@code cluster}): its history is the one the cluster shares. */
  public static Future<Gateway> deploy(ClusterNode node, GatewayConfig config, GatewayMetrics metrics) {
    return deploy(node.vertx(), node, config, metrics);
  }

  private static Future<Gateway> deploy(Vertx vertx, ClusterNode node, GatewayConfig config, GatewayMetrics metrics) {
    logUnexpectedErrors(vertx);
    String namespace = UUID.randomUUID().toString();
    SubscriberCounts counts = new SubscriberCounts();
    return deployLog(vertx, node, config, namespace, counts)
      .compose(log -> deployPresence(vertx, node, config, namespace)
        .compose(presence -> deployRevocations(node, config)
          .compose(revocations -> deployServers(vertx, config, log, presence, revocations, counts, metrics))))
      .compose(Gateway::deployMetricsServer)
      .compose(gateway -> config.demo()
        ? vertx.deployVerticle(new DemoTicker(gateway.log, config.demoRate()))
          .map(id -> {
            gateway.demoDeployment = id;
            return gateway;
          })
        : Future.succeededFuture(gateway))
      .onSuccess(gateway -> LOG.log(Level.INFO, "push-gateway listening on {0}://{1}:{2,number,#} (transports {3}, "
        + "{4} event loops); effective configuration: {5}", config.tls() ? "https" : "http", config.host(),
        gateway.port(), config.transports(), config.instances(), config))
      .onFailure(e -> LOG.log(Level.ERROR, "push-gateway could not start", e));
  }

  /**
   * An exception no handler caught on one of this Vert.x's threads, logged once with its stack:
   * without a handler Vert.x logs it itself, but an embedding application's handler wins.
   */
  private static void logUnexpectedErrors(Vertx vertx) {
    if (vertx.exceptionHandler() == null) {
      vertx.exceptionHandler(e -> LOG.log(Level.ERROR,
        "unexpected error on " + Thread.currentThread().getName() + ", not handled by the code that ran", e));
    }
  }

  /**
   * The in-memory single node by default; with {@code cluster}, the history shared by the cluster.
   * Neither evicts a topic {@code counts} has subscribers for.
   */
  private static Future<EventLog> deployLog(Vertx vertx, ClusterNode node, GatewayConfig config, String namespace,
                                            SubscriberCounts counts) {
    if (config.cluster() && node == null) {
      return Future.failedFuture("cluster mode: deploy on the ClusterNode this process joined with");
    }
    return config.cluster()
      ? HazelcastEventLog.deploy(node, namespace, config.historyLimits(),
        new HazelcastEventLog.Limits(config.maxTopics(), config.topicIdleMillis(), counts.topicNames()))
        .map(EventLog.class::cast)
      : LocalEventLog.deploy(vertx, namespace, config.historyLimits(), config.maxTopics(), config.topicIdleMillis(),
        counts::inUse).map(EventLog.class::cast);
  }

  /** Presence beside the history: in memory, or shared by the cluster; null when it is off. */
  private static Future<Presence> deployPresence(Vertx vertx, ClusterNode node, GatewayConfig config,
                                                 String namespace) {
    if (!config.presence()) {
      return Future.succeededFuture();
    }
    PresenceLimits limits = new PresenceLimits(config.maxPresenceMembers(), config.maxPresenceChangesPerSecond(),
      config.maxPresenceOccupants());
    return config.cluster()
      ? HazelcastPresence.deploy(node, namespace, limits)
      : Future.succeededFuture(new LocalPresence(vertx, namespace, limits));
  }

  /** The revoked tokens: this process's own, or shared by the cluster's nodes. */
  private static Future<Revocations> deployRevocations(ClusterNode node, GatewayConfig config) {
    return config.cluster()
      ? HazelcastRevocations.deploy(node, config.maxRevocations())
      : Future.succeededFuture(new Revocations(config.maxRevocations()));
  }

  private static Future<Gateway> deployServers(Vertx vertx, GatewayConfig config, EventLog log, Presence presence,
                                               Revocations revocations, SubscriberCounts counts,
                                               GatewayMetrics metrics) {
    List<HttpServerVerticle> servers = new CopyOnWriteArrayList<>();
    Limits limits = new Limits(config);
    metrics.watchReceiving(limits::receivingBytes);
    metrics.watchRevocations(revocations::size);
    WireMeters meters = new WireMeters(config.maxMeters());
    AtomicBoolean draining = new AtomicBoolean();
    return vertx.deployVerticle(() -> {
        HttpServerVerticle server = new HttpServerVerticle(config, log, counts, metrics, () -> !draining.get() && log.ready());
        server.limits(limits);
        server.revocations(revocations);
        server.meters(meters);
        server.presence(presence);
        servers.add(server);
        return server;
      }, new DeploymentOptions().setInstances(config.instances()))
      .map(id -> new Gateway(vertx, config, log, presence, revocations, counts, metrics, servers, id, draining,
        vertx.setPeriodic(HttpServerVerticle.SWEEP_MILLIS, t -> HttpServerVerticle.sweep(limits, meters, revocations))))
      .map(gateway -> {
        metrics.watch(log, counts, gateway::isReady);
        if (presence != null) {
          PresenceView view = presence.view();
          metrics.watchPresence(view::occupants, view::joins, view::leaves);
        }
        return gateway;
      });
  }

  /** With {@code metricsPort}, {@code /metrics} gets its own port (kept off the public one). */
  private static Future<Gateway> deployMetricsServer(Gateway gateway) {
    if (gateway.config.metricsPort() == 0) {
      return Future.succeededFuture(gateway);
    }
    return gateway.vertx.deployVerticle(new MetricsServerVerticle(gateway.config, gateway.metrics))
      .map(id -> {
        gateway.metricsDeployment = id;
        return gateway;
      });
  }

  public int port() {
    return servers.get(0).actualPort();
  }

  public GatewayConfig config() {
    return config;
  }

  public EventLog log() {
    return log;
  }

  /** Who is in each topic; null when presence is off. */
  public Presence presence() {
    return presence;
  }

  public SubscriberCounts subscriberCounts() {
    return counts;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Ready to serve: started, not draining, and its log can serve history. */
  public boolean isReady() {
    return !draining.get() && log.ready();
  }

  /**
   * Graceful stop: {@code /ready} turns 503, WebSockets close with 1001, SSE streams end, waiting
   * long polls are answered, then the servers close. The Vert.x instance stays up.
   */
  public Future<Void> close() {
    if (!draining.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    LOG.log(Level.INFO, "push-gateway stopping: /ready answers 503, connections close in {0} s",
      config.drainDelaySeconds());
    // /ready answers 503 first, so a load balancer stops sending new clients before connections close.
    long delay = config.drainDelaySeconds() * 1000L;
    Future<Void> notice = delay > 0 ? vertx.timer(delay).mapEmpty() : Future.succeededFuture();
    vertx.cancelTimer(sweepTimer);
    return notice
      .compose(v -> demoDeployment == null ? Future.succeededFuture() : vertx.undeploy(demoDeployment))
      .compose(v -> vertx.undeploy(serversDeployment))
      .compose(v -> metricsDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(metricsDeployment))
      .compose(v -> presence == null ? Future.<Void>succeededFuture() : presence.close())
      .compose(v -> revocations.close())
      .compose(v -> log.close())
      .onSuccess(v -> LOG.log(Level.INFO, "push-gateway stopped"))
      .onFailure(e -> LOG.log(Level.ERROR, "push-gateway did not stop cleanly", e));
  }
}
