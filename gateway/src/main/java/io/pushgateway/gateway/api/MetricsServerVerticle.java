package io.pushgateway.gateway.api;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /metrics} on its own port ({@code metricsPort}), so operators can keep the scrape
 * endpoint off the public one. With {@code metricsPort} 0 the main server serves it instead,
 * through the same {@link #scrape} method.
 */
public final class MetricsServerVerticle extends VerticleBase {

  /** The Prometheus text exposition format, version 0.0.4, what Prometheus asks for by default. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private HttpServer server;

  public MetricsServerVerticle(GatewayConfig config, GatewayMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    // HTTP/1.1 only, as the main port: Prometheus scrapes with it, and without h2c's sniffing the
    // connection is an HTTP/1.1 one from its first byte, so its clocks start at once
    HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.metricsPort())
      .setHttp2ClearTextEnabled(false);
    server = vertx.createHttpServer(options)
      // the same framing rules and head, body and idle clocks as the main port: a scrape port is a port too
      .connectionHandler(connection -> {
        RawConnection raw = RawConnection.of(connection);
        raw.decodeStrictly(options);
        raw.startClocks(config.requestHeadTimeoutMillis(), config.requestBodyTimeoutMillis(), config.idleTimeoutMillis());
      })
      .requestHandler(request -> {
        if (request.method() == HttpMethod.GET && request.path().equals("/metrics")) {
          scrape(vertx, metrics, request);
        } else {
          request.response().setStatusCode(404).end();
        }
      });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }

  /**
   * Renders the registry on a worker thread, a render shared by the scrapes that come meanwhile:
   * a scrape walks every meter (a millisecond or more with the histograms), which would otherwise
   * stall that event loop's fan-out. The answer is written on the request's own event loop.
   */
  static void scrape(io.vertx.core.Vertx vertx, GatewayMetrics metrics, HttpServerRequest request) {
    Context requestContext = vertx.getOrCreateContext();
    metrics.scrapeShared(render -> vertx.executeBlocking(() -> {
      render.run();
      return null;
    }, false)).whenComplete((text, failure) -> requestContext.runOnContext(v -> {
      if (failure == null) {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(text);
      } else {
        request.response().setStatusCode(500).end();
      }
    }));
  }
}
