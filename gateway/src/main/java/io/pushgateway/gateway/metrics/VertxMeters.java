package io.pushgateway.gateway.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Vert.x's own meters (HTTP server, event bus, worker pools; {@code vertx_*}) written into the
 * gateway's registry, so one scrape shows both; the per-request ones kept by {@link RequestMeters}.
 *
 * <p>Labels are restricted to a fixed, small set. {@code HTTP_PATH} and {@code HTTP_ROUTE} stay
 * off: every publish names its topic in the path ({@code /api/topics/{t}/events}) and every
 * subscription carries topics and a cursor in its query, so a path label would add series per
 * topic and per request; {@code EB_ADDRESS} stays off because the log's addresses embed a random
 * namespace. A WebSocket, an SSE stream or a waiting long poll is then one request with method and
 * status, whatever it subscribes to.
 */
public final class VertxMeters {

  /** The only labels Vert.x may put on its meters: each has a handful of values. */
  static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.EB_SIDE,
    Label.POOL_TYPE, Label.POOL_NAME);

  /**
   * Micrometer's registry logger, held here because JUL drops the filter of a logger nobody
   * references. Vert.x registers its connection, request and event bus gauges again for every
   * connection and consumer, each time under the same id (the labels that would tell them apart
   * are off) and each time reading the same shared counter, which is how its gauges work
   * (vert-x3/vertx-micrometer-metrics#259). Micrometer 1.15 warns about any re-registered gauge,
   * so a clean start would log a warning about nothing; only that warning, for Vert.x's own
   * meters, is dropped.
   */
  private static final Logger MICROMETER = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
  private static final String VERTX_GAUGE_AGAIN = "This Gauge has been already registered (MeterId{name='vertx.";

  private VertxMeters() {
  }

  /**
   * A builder whose Vert.x reports into {@code registry}; a cluster node adds its cluster manager.
   * Vert.x caches backends by registry name JVM-wide, so each registry gets its own name: two
   * gateways in one JVM (tests) must not end up sharing the first one's registry.
   */
  public static VertxBuilder builder(VertxOptions options, PrometheusMeterRegistry registry) {
    MICROMETER.setFilter(VertxMeters::notAVertxGaugeAgain);
    MicrometerMetricsOptions metrics = metricsOptions("push-gateway-" + System.identityHashCode(registry));
    return Vertx.builder()
      .with(options.setMetricsOptions(metrics))
      .withMetrics(CheaperVertxMetrics.factory(registry, metrics.getMetricsNaming()));
  }

  private static boolean notAVertxGaugeAgain(LogRecord record) {
    return record.getMessage() == null || !record.getMessage().startsWith(VERTX_GAUGE_AGAIN);
  }

  /** Vert.x meters on, bounded labels, the domains the gateway does not use off. */
  static MicrometerMetricsOptions metricsOptions(String registryName) {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName(registryName)
      .setLabels(EnumSet.copyOf(LABELS))
      // The JVM meters are bound by GatewayMetrics, also when embedded without Vert.x meters.
      .setJvmMetricsEnabled(false)
      .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
      .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
      .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
      .addDisabledMetricsCategory(MetricsDomain.VERTICLES);
  }
}
