package io.pushgateway.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.metrics.VertxMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the gateway's hot paths before it takes its first client. A private copy of the gateway,
 * on a Vert.x of its own and a loopback port, serves two publishers (HTTP and WebSocket) and
 * subscribers on every enabled transport, in both wire formats, for a few seconds, in rounds with
 * pauses for the JIT to catch up; it then has compiled what the first real clients would
 * otherwise pay for. Nothing of it reaches the real gateway: the copy has its own history,
 * meters, limits and threads, and all of it is closed when the warm-up ends. What it cannot
 * warm: TLS is left out, and in cluster mode the cluster's own paths (the copy keeps its history
 * in memory).
 */
public final class WarmUp {

  /** The one topic of the warm-up; it lives only in the private copy. */
  static final String TOPIC = "warm-up";
  /** Subscribers per transport: enough for a fan-out to loop, few enough to leave a core to the publishers. */
  private static final int SUBSCRIBERS = 8;
  private static final long SHORT_POLL_INTERVAL_MILLIS = 20;
  /** The longest the private gateway may take to start or close. */
  private static final long CLOSE_MILLIS = 10_000;
  /** How long a client that got an error waits before it tries again. */
  private static final long ERROR_PAUSE_MILLIS = 10;
  /**
   * The traffic comes in rounds, each followed by a pause for the JIT: under load the JVM raises
   * its bar for optimizing a method with the length of its compile queue, so a warm-up that never
   * pauses leaves hundreds of warm methods half compiled, for the first real clients to pay for.
   */
  static final int ROUNDS = 5;
  /** The JIT counts as done once its compile time stood still this long. */
  private static final long JIT_SETTLED_MILLIS = 200;
  /** The longest pause after a round, and never longer than the round: the JIT is usually done long before. */
  static final long MAX_PAUSE_MILLIS = 3_000;
  /** How often a paused publisher looks whether the pause is over. */
  private static final long PAUSED_RETRY_MILLIS = 20;
  /** An event the size of a small quote: a few fields and a short text. */
  private static final String DATA = "{\"n\":%d,\"price\":101.25,\"note\":\"the warm-up's events never leave it\"}";

  private WarmUp() {
  }

  /**
   * What a warm-up did: events published, events received per transport, its port, its length and
   * how much of it the publishers paused for the JIT.
   */
  public record Report(long published, Map<Transport, Long> received, int port, Duration took, Duration paused) {

    @Override
    public String toString() {
      return String.format("%,d events published, received %s on 127.0.0.1:%d, in %.1f s (%.1f s of pauses for the JIT)",
        published, received, port, took.toMillis() / 1000.0, paused.toMillis() / 1000.0);
    }
  }

  /**
   * Warms the gateway {@code config} describes with {@code duration} of traffic, in {@link #ROUNDS}
   * rounds with a pause for the JIT after each (no longer than a round, at most
   * {@link #MAX_PAUSE_MILLIS}); returns once everything it opened is closed again. Blocks: it is a
   * step of starting up, run before the real gateway.
   */
  public static Report run(GatewayConfig config, Duration duration) throws Exception {
    long start = System.nanoTime();
    GatewayConfig copy = privateCopy(config);
    // Vert.x's own meters are on, as in the real gateway, so their code is warmed too; into a
    // registry nobody scrapes.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = new GatewayMetrics(registry);
    Vertx vertx = VertxMeters.builder(new VertxOptions().setPreferNativeTransport(true), registry).build();
    // The copy's "listening" and "stopped" lines would read as the real gateway's.
    Logger gatewayLog = Logger.getLogger(Gateway.class.getName());
    Level level = gatewayLog.getLevel();
    gatewayLog.setLevel(Level.WARNING);
    long bound = duration.toMillis() + ROUNDS * MAX_PAUSE_MILLIS + CLOSE_MILLIS;
    try {
      Gateway gateway = Gateway.deploy(vertx, copy, metrics).await(bound, TimeUnit.MILLISECONDS);
      Traffic traffic = new Traffic(vertx, copy, gateway.port());
      try {
        traffic.run(duration).await(bound, TimeUnit.MILLISECONDS);
      } finally {
        gateway.close().await(CLOSE_MILLIS, TimeUnit.MILLISECONDS);
      }
      return traffic.report(gateway.port(), Duration.ofNanos(System.nanoTime() - start));
    } finally {
      gatewayLog.setLevel(level);
      vertx.close().await(CLOSE_MILLIS, TimeUnit.MILLISECONDS);
      metrics.close();
      // The copy's histories and connections have reached the old generation by now: collected
      // here, before anyone waits, rather than in a full collection under the first clients.
      System.gc();
    }
  }

  /**
   * The gateway of {@code config} on a free loopback port, alone: no cluster, auth, TLS, demo or
   * limits, which would refuse or slow the warm-up's clients without warming anything more.
   */
  static GatewayConfig privateCopy(GatewayConfig config) {
    return GatewayConfig.fromJson(config.toJson().mergeIn(new JsonObject()
      .put("host", "127.0.0.1").put("port", 0).put("metricsPort", 0)
      .put("cluster", false).put("auth", false).put("tlsKeyPath", "").put("tlsCertPath", "")
      .put("demo", false).put("allowedOrigins", "").put("webRoot", "").put("drainDelaySeconds", 0)
      .put("maxConnections", 0).put("maxConnectionsPerIp", 0)
      .put("publishRatePerConnection", 0).put("publishRatePerIp", 0)
      .put("warmUpSeconds", 0)));
  }

  /** The warm-up's clients: each loops until told to stop, counting what it gets. */
  private static final class Traffic {
    private final Vertx vertx;
    private final GatewayConfig config;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final LongAdder published = new LongAdder();
    private final Map<Transport, LongAdder> received = new EnumMap<>(Transport.class);
    private volatile boolean running = true;
    /** Between rounds: the publishers wait, the subscribers keep polling or listening. */
    private volatile boolean paused;
    private long pausedNanos;

    Traffic(Vertx vertx, GatewayConfig config, int port) {
      this.vertx = vertx;
      this.config = config;
      // a connection per subscriber and publisher: none waits behind another's long poll
      this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4 * SUBSCRIBERS + 4));
      this.webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(port).setTryUsePerMessageCompression(config.compression()));
      for (Transport t : Transport.values()) {
        received.put(t, new LongAdder());
      }
    }

    /** Subscribes everyone, publishes in rounds until {@code duration} is over, then closes the clients. */
    Future<Void> run(Duration duration) {
      List<Future<?>> subscribed = new ArrayList<>();
      for (int i = 0; i < SUBSCRIBERS; i++) {
        // both wire formats, each event spelling (with timestamps too)
        String query = "?topics=" + TOPIC + (i % 2 == 1 ? "&format=compact" : "") + (i % 4 == 3 ? "&ts=1" : "");
        if (enabled(Transport.WS)) {
          subscribed.add(webSocket("/ws" + query, received.get(Transport.WS)));
        }
        if (enabled(Transport.SSE)) {
          subscribed.add(sse("/sse" + query));
        }
        if (enabled(Transport.LONG)) {
          poll("/poll/long" + query + "&timeout=1", null, 0);
        }
        if (enabled(Transport.SHORT)) {
          poll("/poll" + query, null, SHORT_POLL_INTERVAL_MILLIS);
        }
      }
      return Future.all(subscribed)
        .compose(v -> {
          publishOverHttp(0);
          if (enabled(Transport.WS)) {
            // subscribed to a topic of its own: it hears its acks, not the events it sends
            return webSocket("/ws?topics=" + TOPIC + ".publisher", null).onSuccess(this::publishOverWebSocket);
          }
          return Future.succeededFuture();
        })
        .compose(v -> rounds(ROUNDS, duration.toMillis() / ROUNDS))
        .eventually(() -> {
          running = false;
          return Future.all(webSockets.close(), http.close());
        })
        .mapEmpty();
    }

    /** {@code left} rounds of {@code millis} of publishing, each followed by a pause for the JIT. */
    private Future<Void> rounds(int left, long millis) {
      if (left == 0) {
        return Future.succeededFuture();
      }
      paused = false;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis + Math.min(millis, MAX_PAUSE_MILLIS));
      return vertx.timer(millis)
        .compose(v -> {
          paused = true;
          long pausedAt = System.nanoTime();
          return jitSettled(jitMillis(), deadline).onComplete(done -> pausedNanos += System.nanoTime() - pausedAt);
        })
        .compose(v -> rounds(left - 1, millis));
    }

    /** Completes once the JIT's compile time stood still for a while, or at {@code deadline} (nanoTime). */
    private Future<Void> jitSettled(long compileMillis, long deadline) {
      long wait = Math.min(JIT_SETTLED_MILLIS, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      return vertx.timer(Math.max(1, wait)).compose(v -> {
        long now = jitMillis();
        return now == compileMillis || System.nanoTime() >= deadline
          ? Future.<Void>succeededFuture() : jitSettled(now, deadline);
      });
    }

    Report report(int port, Duration took) {
      Map<Transport, Long> counts = new EnumMap<>(Transport.class);
      received.forEach((t, n) -> {
        if (enabled(t)) {
          counts.put(t, n.sum());
        }
      });
      return new Report(published.sum(), counts, port, took, Duration.ofNanos(pausedNanos));
    }

    private boolean enabled(Transport transport) {
      return config.transports().contains(transport);
    }

    /** A WebSocket counting its messages into {@code count} (null: a publisher's, which counts acks itself). */
    private Future<WebSocket> webSocket(String uri, LongAdder count) {
      return webSockets.connect(uri).onSuccess(ws -> {
        if (count != null) {
          // events only: control frames ({"op":…}) are not deliveries
          ws.textMessageHandler(message -> {
            if (!message.startsWith("{\"op\"")) {
              count.increment();
            }
          });
        }
      });
    }

    private Future<HttpClientResponse> sse(String uri) {
      LongAdder count = received.get(Transport.SSE);
      return http.request(HttpMethod.GET, uri)
        .compose(request -> request.putHeader("Accept", "text/event-stream").send())
        .onSuccess(response -> response.handler(chunk -> count.add(occurrences(chunk.toString(), "data:"))));
    }

    /** The answer's body, or a failure for an error answer: the client then pauses and tries again. */
    private static Future<Buffer> bodyIfAccepted(HttpClientResponse response) {
      return response.statusCode() / 100 == 2
        ? response.body() : Future.failedFuture("answered " + response.statusCode());
    }

    private static int occurrences(String text, String field) {
      int n = 0;
      for (int at = text.indexOf(field); at >= 0; at = text.indexOf(field, at + field.length())) {
        n++;
      }
      return n;
    }

    /** A poll loop: asks again with the cursor it got, at once or after {@code pauseMillis}. */
    private void poll(String uri, String cursor, long pauseMillis) {
      if (!running) {
        return;
      }
      Transport transport = pauseMillis == 0 ? Transport.LONG : Transport.SHORT;
      String path = cursor == null ? uri : uri + "&cursor=" + cursor;
      http.request(HttpMethod.GET, path)
        .compose(request -> request.send())
        .compose(Traffic::bodyIfAccepted)
        .onComplete(answer -> {
          if (answer.failed()) {
            vertx.setTimer(ERROR_PAUSE_MILLIS, id -> poll(uri, cursor, pauseMillis));
            return;
          }
          JsonObject body = answer.result().toJsonObject();
          received.get(transport).add(body.getJsonArray("events").size());
          String next = body.getString("cursor");
          if (pauseMillis == 0) {
            poll(uri, next, 0);
          } else {
            vertx.setTimer(pauseMillis, id -> poll(uri, next, pauseMillis));
          }
        });
    }

    /** Runs {@code publish} while the traffic runs: at once, or once a pause for the JIT is over. */
    private void whenPublishing(Runnable publish) {
      if (running && paused) {
        vertx.setTimer(PAUSED_RETRY_MILLIS, id -> whenPublishing(publish));
      } else if (running) {
        publish.run();
      }
    }

    /** One publish at a time over HTTP, the next as soon as the last is answered. */
    private void publishOverHttp(long n) {
      whenPublishing(() -> http.request(HttpMethod.POST, "/api/topics/" + TOPIC + "/events")
        .compose(request -> request.putHeader("Content-Type", "application/json")
          .send(Buffer.buffer(String.format(DATA, n))))
        .compose(Traffic::bodyIfAccepted)
        .onComplete(done -> {
          if (done.succeeded()) {
            published.increment();
            publishOverHttp(n + 1);
          } else {
            vertx.setTimer(ERROR_PAUSE_MILLIS, id -> publishOverHttp(n + 1));
          }
        }));
    }

    /** One publish op at a time over {@code ws}, the next when the last is acknowledged. */
    private void publishOverWebSocket(WebSocket ws) {
      long[] sent = {0};
      ws.textMessageHandler(answer -> {
        if (answer.startsWith("{\"op\":\"ack\"")) {
          published.increment();
          sendPublish(ws, ++sent[0]);
        } else if (answer.startsWith("{\"op\":\"error\"")) {
          vertx.setTimer(ERROR_PAUSE_MILLIS, id -> sendPublish(ws, ++sent[0]));
        }
      });
      sendPublish(ws, 0);
    }

    private void sendPublish(WebSocket ws, long n) {
      whenPublishing(() -> ws.writeTextMessage("{\"op\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":"
        + String.format(DATA, n) + ",\"ref\":\"" + n + "\"}"));
    }
  }

  /** The JIT's total compile time so far, in ms; a constant where the JVM does not report it. */
  private static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }
}
