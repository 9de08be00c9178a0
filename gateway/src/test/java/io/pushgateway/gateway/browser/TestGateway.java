package io.pushgateway.gateway.browser;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real gateway on loopback that a test can publish to, stop and start again on its port. */
final class TestGateway implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private Gateway gateway;
  private int port;

  static TestGateway start(JsonObject config) {
    TestGateway test = new TestGateway();
    test.deploy(config.copy().put("port", config.getInteger("port", 0)));
    return test;
  }

  /** Stops the gateway and starts a fresh one (new in-memory history, new epoch) on the same port. */
  void restart(JsonObject config) {
    stop();
    deploy(config.copy().put("port", port));
  }

  void stop() {
    if (gateway != null) {
      await(gateway.close());
      gateway = null;
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The body of a GET, which must answer 200. */
  String get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(TIMEOUT).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Publishes over HTTP and returns the id the gateway gave the event. */
  long publish(String topic, JsonObject data) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/api/topics/" + topic + "/events"))
      .timeout(TIMEOUT)
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(data.encode()))
      .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 201) {
        throw new AssertionError("publish to " + topic + ": " + response.statusCode() + " " + response.body());
      }
      return new JsonObject(response.body()).getLong("id");
    } catch (IOException e) {
      throw new AssertionError("publish to " + topic + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      await(vertx.close());
    }
  }

  private void deploy(JsonObject config) {
    JsonObject json = new JsonObject().put("host", "127.0.0.1").put("instances", 1).mergeIn(config);
    gateway = await(Gateway.deploy(vertx, GatewayConfig.fromJson(json)));
    port = gateway.port();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("gateway did not answer in time", e);
    }
  }
}
