package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.presence.Presence;
import io.pushgateway.gateway.security.Authenticator;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.Revocations;
import io.vertx.core.Vertx;

/**
 * What a transport may use: the options, the log, its event loop's hub and write path (the raw
 * channel or Vert.x's public API, see {@link WritePath}), the one publish rule, the meters, the
 * gateway-wide limits, presence (null when it is off) and the token check (null when auth is
 * off), which a WebSocket uses again when its client refreshes its token, and the revoked tokens,
 * which end what they hold open.
 * Subscriber counts are the hub's to keep: a subscription is counted where it listens.
 */
public record TransportContext(
  Vertx vertx,
  GatewayConfig config,
  EventLog log,
  Hub hub,
  WritePath writePath,
  GatewayMetrics metrics,
  PublishRule publishing,
  Limits limits,
  Presence presence,
  Authenticator authenticator,
  Revocations revocations) {
}
