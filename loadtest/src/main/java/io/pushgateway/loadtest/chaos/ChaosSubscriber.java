package io.pushgateway.loadtest.chaos;

import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.client.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A subscriber that behaves well under chaos: it keeps its cursor, and whenever its connection
 * ends (dropped by the chaos, closed by the gateway with 1013, an error) it comes back with that
 * cursor, often on another transport. A slow reader is a WebSocket that stops reading now and
 * then. Everything runs on the chaos event loop; {@code generation} makes callbacks of an
 * abandoned connection harmless.
 */
final class ChaosSubscriber {
  private static final String TOPIC = ChaosRun.TOPIC;

  private final Vertx vertx;
  private final Endpoint endpoint;
  private final HttpClient http;
  private final WebSocketClient ws;
  private final ChaosCounters counters;
  private final Random random;
  private final boolean slow;
  final Received received = new Received();
  private String epoch;
  private long position = -1;
  private int generation;
  private boolean stopped;
  private Runnable drop = () -> { };

  ChaosSubscriber(Vertx vertx, Endpoint endpoint, HttpClient http, WebSocketClient ws, ChaosCounters counters,
                  long seed, boolean slow) {
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.http = http;
    this.ws = ws;
    this.counters = counters;
    this.random = new Random(seed);
    this.slow = slow;
  }

  boolean slow() {
    return slow;
  }

  void start() {
    connect(nextTransport());
    // A slow reader's chaos is its stalls; cutting it off as well would end them before they bite.
    if (!slow) {
      scheduleDrop();
    }
  }

  void stop() {
    stopped = true;
    generation++;
    drop.run();
  }

  /** Now and then the chaos cuts this subscriber off; it reconnects by itself. */
  private void scheduleDrop() {
    vertx.setTimer(3_000 + random.nextInt(12_000), t -> {
      if (stopped) {
        return;
      }
      counters.drops.increment();
      generation++;
      drop.run();
      reconnectLater();
      scheduleDrop();
    });
  }

  private void reconnectLater() {
    int gen = ++generation;
    vertx.setTimer(50 + random.nextInt(800), t -> {
      if (!stopped && gen == generation) {
        connect(nextTransport());
      }
    });
  }

  /** The connection {@code gen} ended without the chaos asking: come back with the cursor. */
  private void ended(int gen, String why) {
    if (gen == generation && !stopped) {
      counters.served(why);
      reconnectLater();
    }
  }

  private String cursorParam() {
    return position < 0 || epoch == null ? ""
      : "&cursor=" + URLEncoder.encode(TOPIC + ":" + position + ":" + epoch, StandardCharsets.UTF_8);
  }

  /** A slow reader stays on WebSocket (it stalls by not reading); the others pick any transport. */
  private Transport nextTransport() {
    Transport[] all = Transport.values();
    return slow ? Transport.WS : all[random.nextInt(all.length)];
  }

  private void connect(Transport transport) {
    int gen = ++generation;
    counters.connections.increment();
    switch (transport) {
      case WS -> connectWs(gen);
      case SSE -> connectSse(gen);
      case LONG -> poll(gen, true);
      case SHORT -> poll(gen, false);
    }
  }

  private void onEvent(JsonObject event) {
    long id = event.getLong("id", -1L);
    if (received.event(id)) {
      counters.deliveries.increment();
    }
    position = Math.max(position, id);
  }

  private void onReset(JsonObject reset) {
    received.reset(reset.getLong("from", 1L));
    epoch = reset.getString("epoch", epoch);
    position = reset.getLong("from", 1L) - 1;
  }

  // ---- WebSocket

  private void connectWs(int gen) {
    ws.connect(new WebSocketConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
        .setURI("/ws?topics=" + TOPIC + cursorParam()))
      .onFailure(e -> ended(gen, "ws connect failed"))
      .onSuccess(socket -> {
        if (gen != generation) {
          socket.close();
          return;
        }
        drop = () -> socket.close();
        socket.closeHandler(v -> ended(gen, "ws close " + socket.closeStatusCode()));
        socket.textMessageHandler(text -> {
          if (gen != generation) {
            return;
          }
          JsonObject frame = new JsonObject(text);
          String op = frame.getString("op");
          if (op == null) {
            onEvent(frame);
          } else if (op.equals("subscribed") && position < 0) {
            epoch = frame.getString("epoch");
            position = frame.getLong("id");
          } else if (op.equals("subscribed")) {
            epoch = epoch == null ? frame.getString("epoch") : epoch;
          } else if (op.equals("reset")) {
            onReset(frame);
          }
        });
        if (slow) {
          stall(socket, gen);
        }
      });
  }

  /** A slow reader: reads a while, stops reading for up to half a minute, reads again. */
  private void stall(WebSocket socket, int gen) {
    vertx.setTimer(2_000 + random.nextInt(5_000), t -> {
      if (gen != generation) {
        return;
      }
      socket.pause();
      vertx.setTimer(10_000 + random.nextInt(20_000), t2 -> {
        socket.resume();
        if (gen == generation) {
          stall(socket, gen);
        }
      });
    });
  }

  // ---- Server-Sent Events

  private void connectSse(int gen) {
    StringBuilder pending = new StringBuilder();
    String[] id = {null};
    StringBuilder data = new StringBuilder();
    String[] type = {null};
    http.request(HttpMethod.GET, endpoint.port(), endpoint.host(), "/sse?topics=" + TOPIC + cursorParam())
      .compose(request -> {
        drop = () -> request.reset();
        return request.send();
      })
      .onFailure(e -> ended(gen, "sse failed"))
      .onSuccess(response -> {
        if (response.statusCode() != 200) {
          ended(gen, "sse http " + response.statusCode());
          return;
        }
        response.exceptionHandler(e -> ended(gen, "sse failed"));
        response.endHandler(v -> ended(gen, "sse end"));
        response.handler(chunk -> {
          if (gen != generation) {
            return;
          }
          pending.append(chunk.toString(StandardCharsets.UTF_8));
          int nl;
          while ((nl = pending.indexOf("\n")) >= 0) {
            String line = pending.substring(0, nl);
            pending.delete(0, nl + 1);
            if (line.startsWith("id: ")) {
              id[0] = line.substring(4);
            } else if (line.startsWith("event: ")) {
              type[0] = line.substring(7);
            } else if (line.startsWith("data: ")) {
              data.append(line, 6, line.length());
            } else if (line.isEmpty() && data.length() > 0) {
              JsonObject payload = new JsonObject(data.toString());
              if ("reset".equals(type[0])) {
                onReset(payload);
              } else {
                onEvent(payload);
              }
              takeCursor(id[0]);
              data.setLength(0);
              type[0] = null;
            }
          }
        });
      });
  }

  private void takeCursor(String cursor) {
    if (cursor == null) {
      return;
    }
    for (String entry : cursor.split(",")) {
      String[] parts = entry.split(":");
      if (parts.length == 3 && parts[0].equals(TOPIC)) {
        epoch = parts[2];
        position = Long.parseLong(parts[1]);
      }
    }
  }

  // ---- long and short polling

  private void poll(int gen, boolean longPoll) {
    if (gen != generation || stopped) {
      return;
    }
    String kind = longPoll ? "long" : "short";
    String uri = (longPoll ? "/poll/long" : "/poll") + "?topics=" + TOPIC + cursorParam() + (longPoll ? "&timeout=5" : "");
    drop = () -> { };
    http.request(HttpMethod.GET, endpoint.port(), endpoint.host(), uri)
      .compose(request -> request.send())
      .compose(response -> response.body().compose(body -> response.statusCode() == 200
        ? Future.succeededFuture(body.toJsonObject())
        : Future.failedFuture("http " + response.statusCode())))
      .onFailure(e -> ended(gen, kind + " " + (e.getMessage() != null && e.getMessage().startsWith("http ") ? e.getMessage() : "failed")))
      .onSuccess(body -> {
        if (gen != generation) {
          return;
        }
        JsonArray resets = body.getJsonArray("resets");
        resets.forEach(r -> onReset((JsonObject) r));
        body.getJsonArray("events").forEach(e -> onEvent((JsonObject) e));
        takeCursor(body.getString("cursor"));
        if (longPoll || body.getBoolean("more", false)) {
          poll(gen, longPoll);
        } else {
          vertx.setTimer(250, t -> poll(gen, false));
        }
      });
  }
}
