package io.pushgateway.gateway.api;

import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.http.HttpReplies;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.WireMeters;
import io.pushgateway.gateway.metrics.WireMeters.WireMeter;
import io.pushgateway.gateway.security.Grant;
import io.pushgateway.gateway.transport.Endpoint;
import io.pushgateway.gateway.transport.netty.RawConnection;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Wire meters over HTTP: {@code meter=KEY} on any request charges it to that meter, and
 * {@code GET /api/meters/KEY} reads the meter back (see {@link WireMeters}). A key is the client's
 * own random name, so reading a meter needs no grant: it shows byte counts only.
 */
final class MeterApi implements Handler<RoutingContext> {

  static final String PARAM = "meter";

  private final WireMeters meters;
  private final GatewayMetrics metrics;

  MeterApi(WireMeters meters, GatewayMetrics metrics) {
    this.meters = meters;
    this.metrics = metrics;
  }

  /** In front of every route: claims the request for its meter, if it names one. */
  @Override
  public void handle(RoutingContext ctx) {
    String key = ctx.request().getParam(PARAM);
    if (key != null) {
      if (!WireMeters.validKey(key)) {
        refuseKey(ctx);
        return;
      }
      // With maxMeters in use, the request is served unmetered; reading its meter says not_found.
      WireMeter meter = meters.open(key);
      if (meter != null) {
        RawConnection.of(ctx.request().connection()).claimMeter(meter);
      }
    }
    ctx.next();
  }

  private void refuseKey(RoutingContext ctx) {
    HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.INVALID_PARAMETER,
      PARAM + " must be 8 to 64 letters, digits, - or _"), metrics);
  }

  Endpoint route() {
    return Endpoint.get("/api/meters/:key", Grant.NONE, this::read);
  }

  private void read(RoutingContext ctx) {
    String key = ctx.pathParam("key");
    if (!WireMeters.validKey(key)) {
      refuseKey(ctx); // no meter could have it, and it is not echoed back
      return;
    }
    WireMeter meter = meters.find(key);
    if (meter == null) {
      HttpReplies.error(ctx.response(), new GatewayException(ErrorCode.NOT_FOUND,
        "no meter " + key + " (a meter starts with a request that names it and is forgotten after "
          + TimeUnit.NANOSECONDS.toMinutes(WireMeters.IDLE_NANOS) + " minutes without a connection)"), metrics);
      return;
    }
    HttpReplies.json(ctx.response(), 200, new JsonObject()
      .put("meter", key)
      .put("bytesUp", meter.bytesUp())
      .put("bytesDown", meter.bytesDown())
      .put("requests", meter.requests())
      .put("open", meter.open()));
  }
}
