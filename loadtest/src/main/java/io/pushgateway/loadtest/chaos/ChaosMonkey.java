package io.pushgateway.loadtest.chaos;

import io.pushgateway.loadtest.client.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Random;

/**
 * Bad input, a few times a second: garbage, binary and unknown-op WebSocket frames, oversize
 * frames and bodies, malformed cursors and topics, non-JSON publishes. Each answer is counted by
 * what the gateway said ("http 400 invalid_cursor", "ws error invalid_parameter", "ws close 1009"); none
 * of it may disturb the well-behaved subscribers.
 */
final class ChaosMonkey {
  private static final String TOPIC = ChaosRun.TOPIC;

  private final Vertx vertx;
  private final Endpoint endpoint;
  private final HttpClient http;
  private final WebSocketClient ws;
  private final ChaosCounters counters;
  private final Random random;
  private final int oversizeBody;
  private final int oversizeFrame;
  private long timer = -1;

  ChaosMonkey(Vertx vertx, Endpoint endpoint, HttpClient http, WebSocketClient ws, ChaosCounters counters, long seed,
              int maxPayloadBytes, int maxFrameBytes) {
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.http = http;
    this.ws = ws;
    this.counters = counters;
    this.random = new Random(seed);
    this.oversizeBody = maxPayloadBytes + 1024;
    this.oversizeFrame = maxFrameBytes + 1024;
  }

  void start(long everyMs) {
    timer = vertx.setPeriodic(everyMs, t -> act());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void act() {
    counters.garbage.increment();
    switch (random.nextInt(9)) {
      case 0 -> wsFrame("{not json");
      case 1 -> wsFrame(new JsonObject().put("op", "dance").put("ref", "m").encode());
      case 2 -> wsFrame(new JsonObject().put("op", "publish").put("topic", "bad topic").put("data", 1).encode());
      case 3 -> wsFrame("\"" + "x".repeat(oversizeFrame) + "\"");
      case 4 -> wsBinary();
      case 5 -> get("/poll?topics=" + TOPIC + "&cursor=" + TOPIC + ":x");
      case 6 -> get("/sse?topics=bad%20topic");
      case 7 -> post("\"" + "x".repeat(oversizeBody) + "\"");
      default -> post("{not json");
    }
  }

  private void wsFrame(String text) {
    ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI("/ws?topics=" + TOPIC + (random.nextInt(5) == 0 ? "&cursor=nope" : "")))
      .onFailure(e -> counters.provoked(e instanceof UpgradeRejectedException u
        ? "ws upgrade http " + u.getStatus() : "ws connect failed"))
      .onSuccess(socket -> {
        socket.textMessageHandler(frame -> {
          JsonObject f = new JsonObject(frame);
          if ("error".equals(f.getString("op"))) {
            counters.provoked("ws error " + f.getString("code"));
            socket.close();
          }
        });
        socket.closeHandler(v -> {
          Short code = socket.closeStatusCode();
          if (code == null || code != 1000) {
            counters.provoked("ws close " + (code == null ? "without status" : code));
          }
        });
        socket.writeTextMessage(text);
        vertx.setTimer(5_000, t -> socket.close());
      });
  }

  private void wsBinary() {
    ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI("/ws?topics=" + TOPIC))
      .onSuccess(socket -> {
        socket.textMessageHandler(frame -> {
          JsonObject f = new JsonObject(frame);
          if ("error".equals(f.getString("op"))) {
            counters.provoked("ws error " + f.getString("code"));
            socket.close();
          }
        });
        socket.writeBinaryMessage(Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff}));
        vertx.setTimer(5_000, t -> socket.close());
      })
      .onFailure(e -> counters.provoked("ws connect failed"));
  }

  private void get(String uri) {
    count(http.request(HttpMethod.GET, endpoint.port(), endpoint.host(), uri).compose(r -> r.send()
      .compose(response -> response.body().map(body -> describe(response.statusCode(), body)))));
  }

  private void post(String body) {
    count(http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.host())
        .setPort(endpoint.port()).setURI("/api/topics/" + TOPIC + "/events")
        .putHeader("Content-Type", "application/json"))
      .compose(r -> r.send(body)
        .compose(response -> response.body().map(answer -> describe(response.statusCode(), answer)))));
  }

  private void count(Future<String> answer) {
    answer.onSuccess(counters::provoked).onFailure(e -> counters.provoked("http failed"));
  }

  private static String describe(int status, Buffer body) {
    try {
      return "http " + status + " " + body.toJsonObject().getJsonObject("error").getString("code");
    } catch (RuntimeException e) {
      return "http " + status;
    }
  }
}
