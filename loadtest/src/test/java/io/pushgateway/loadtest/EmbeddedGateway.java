package io.pushgateway.loadtest;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;

/** A gateway with its defaults in this process, on a free loopback port, for a load test to target. */
final class EmbeddedGateway implements AutoCloseable {

  private final Vertx vertx;
  private final Gateway gateway;

  private EmbeddedGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  static EmbeddedGateway start() {
    Vertx vertx = Vertx.vertx();
    Gateway gateway = Await.result(Gateway.deploy(vertx,
        GatewayConfig.fromJson(new JsonObject().put("host", "127.0.0.1").put("port", 0))),
      Duration.ofSeconds(30), "starting the embedded gateway");
    return new EmbeddedGateway(vertx, gateway);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + gateway.port());
  }

  @Override
  public void close() {
    Await.result(vertx.close(), Duration.ofSeconds(20), "stopping the embedded gateway");
  }
}
