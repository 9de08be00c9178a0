package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;

/**
 * What a transport may use: the options, the log, and its event loop's hub and flush queue, and
 * the meters.
 */
public record TransportContext(
  Vertx vertx,
  GatewayConfig config,
  EventLog log,
  Hub hub,
  FlushQueue flushes,
  SubscriberCounts counts,
  GatewayMetrics metrics,
  PublishRule publishing) {
}
