package io.pushgateway.loadtest.chaos;

import io.pushgateway.loadtest.Pause;
import io.pushgateway.loadtest.client.Endpoint;
import io.pushgateway.loadtest.target.HeapProbe;
import io.pushgateway.loadtest.target.Target;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code --chaos}: a bounded soak that mixes random disconnects and reconnects (across transports,
 * with the cursor), slow readers, garbage frames and oversize requests into a steady publish, then
 * reports loss (zero for well-behaved subscribers), duplicates, reordering, every answer by its
 * code, and the gateway's live heap before and after. All clients share one event loop; the
 * driver thread only waits and reports.
 */
public final class ChaosRun {
  static final String TOPIC = "chaos";
  /** The gateway's defaults; a spawned gateway runs with them. */
  private static final int MAX_PAYLOAD_BYTES = 65_536;
  private static final int MAX_FRAME_BYTES = 131_072;
  private static final long SETTLE_MS = 30_000;

  /** What the chaos does: subscribers includes the slow readers. */
  public record Settings(double durationS, int subscribers, int slowReaders, double rate, int payloadBytes, long seed) {
    public JsonObject toJson() {
      return new JsonObject().put("durationSeconds", durationS).put("subscribers", subscribers)
        .put("slowReaders", slowReaders).put("ratePerSecond", rate).put("payloadBytes", payloadBytes).put("seed", seed);
    }
  }

  private final Target target;
  private final Settings settings;
  private final PrintStream log;
  private final ChaosCounters counters = new ChaosCounters();
  private final List<ChaosSubscriber> subscribers = new ArrayList<>();
  private long lastAcked = -1;
  private long seq;

  public ChaosRun(Target target, Settings settings, PrintStream log) {
    this.target = target;
    this.settings = settings;
    this.log = log;
  }

  /** Runs, writes {@code chaos.json} into {@code out}, and returns it. */
  public JsonObject run(Path out) throws IOException {
    OptionalLong pid = target.pid();
    OptionalLong heapBefore = pid.isPresent() ? HeapProbe.liveHeapBytes(pid.getAsLong()) : OptionalLong.empty();
    Endpoint endpoint = target.endpoints().get(0);
    Vertx vertx = Vertx.vertx();
    JsonObject result;
    try {
      Context loop = vertx.getOrCreateContext();
      HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(settings.subscribers() * 2 + 50));
      WebSocketClient ws = vertx.createWebSocketClient();
      // A small receive buffer makes a slow reader's stall reach the gateway's queue sooner.
      WebSocketClient slowWs = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(8192));
      // The monkey's oversize messages must leave this side in one frame to reach the gateway's limit.
      WebSocketClient monkeyWs = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(4 * MAX_FRAME_BYTES).setMaxMessageSize(4 * MAX_FRAME_BYTES));
      ChaosMonkey monkey = new ChaosMonkey(vertx, endpoint, http, monkeyWs, counters, settings.seed(),
        MAX_PAYLOAD_BYTES, MAX_FRAME_BYTES);
      long[] publishTimer = {-1};
      onLoop(loop, () -> {
        for (int i = 0; i < settings.subscribers(); i++) {
          boolean slow = i < settings.slowReaders();
          ChaosSubscriber s = new ChaosSubscriber(vertx, endpoint, http, slow ? slowWs : ws, counters,
            settings.seed() + i + 1, slow);
          subscribers.add(s);
          s.start();
        }
        publishTimer[0] = vertx.setPeriodic(Math.max(1, (long) (1000 / settings.rate())), t -> publish(http, endpoint));
        monkey.start(200);
      });
      long start = System.nanoTime();
      long end = start + (long) (settings.durationS() * 1e9);
      while (System.nanoTime() < end) {
        Pause.millis(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        log.printf("chaos %4.0fs: published %d, deliveries %d, connections %d, drops %d, bad requests %d%n",
          (System.nanoTime() - start) / 1e9, counters.published.sum(), counters.deliveries.sum(),
          counters.connections.sum(), counters.drops.sum(), counters.garbage.sum());
      }
      onLoop(loop, () -> {
        vertx.cancelTimer(publishTimer[0]);
        monkey.stop();
      });
      settle(loop);
      result = call(loop, this::report);
      onLoop(loop, () -> subscribers.forEach(ChaosSubscriber::stop));
    } finally {
      await(vertx.close(), "closing the chaos clients");
    }
    OptionalLong heapAfter = pid.isPresent() ? HeapProbe.liveHeapBytes(pid.getAsLong()) : OptionalLong.empty();
    result.put("settings", settings.toJson())
      .put("gatewayLiveHeapBytes", new JsonObject()
        .put("before", heapBefore.isPresent() ? heapBefore.getAsLong() : null)
        .put("after", heapAfter.isPresent() ? heapAfter.getAsLong() : null));
    Files.createDirectories(out);
    Files.writeString(out.resolve("chaos.json"), result.encodePrettily());
    log.println(result.encodePrettily());
    return result;
  }

  /** True when every well-behaved subscriber received everything and nothing twice or out of order. */
  public static boolean clean(JsonObject result) {
    return result.getLong("lost") == 0 && result.getLong("duplicates") == 0 && result.getLong("outOfOrder") == 0;
  }

  private void publish(HttpClient http, Endpoint endpoint) {
    long n = ++seq;
    String body = new JsonObject().put("seq", n).put("p", "x".repeat(settings.payloadBytes())).encode();
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.host()).setPort(endpoint.port())
        .setURI("/api/topics/" + TOPIC + "/events").putHeader("Content-Type", "application/json"))
      .compose(r -> r.send(body).compose(response -> response.body().map(answer -> {
        if (response.statusCode() == 201) {
          counters.published.increment();
          lastAcked = Math.max(lastAcked, answer.toJsonObject().getLong("id"));
        } else {
          counters.served("publish http " + response.statusCode());
        }
        return null;
      })))
      .onFailure(e -> counters.served("publish failed"));
  }

  /** Lets every subscriber catch up to the last acknowledged event (bounded); chaos timers keep running. */
  private void settle(Context loop) {
    long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
    while (System.nanoTime() < deadline) {
      boolean done = call(loop, () -> subscribers.stream().allMatch(s -> s.received.last() >= lastAcked));
      if (done) {
        return;
      }
      Pause.millis(200);
    }
  }

  private JsonObject report() {
    long lost = 0;
    long lostSlow = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long resets = 0;
    for (ChaosSubscriber s : subscribers) {
      long l = s.received.lost(lastAcked);
      if (s.slow()) {
        lostSlow += l;
      }
      lost += l;
      duplicates += s.received.duplicates;
      outOfOrder += s.received.outOfOrder;
      resets += s.received.resets;
    }
    return new JsonObject()
      .put("connections", counters.connections.sum())
      .put("published", counters.published.sum())
      .put("lastAckedId", lastAcked)
      .put("deliveries", counters.deliveries.sum())
      .put("chaosDrops", counters.drops.sum())
      .put("badRequests", counters.garbage.sum())
      .put("lost", lost)
      .put("lostBySlowReaders", lostSlow)
      .put("duplicates", duplicates)
      .put("outOfOrder", outOfOrder)
      .put("resets", resets)
      .put("answersToBadInput", counters.provokedJson())
      .put("endsSeenByWellBehavedClients", counters.servedJson());
  }

  private static void onLoop(Context loop, Runnable task) {
    call(loop, () -> {
      task.run();
      return null;
    });
  }

  private static <T> T call(Context loop, java.util.function.Supplier<T> task) {
    Promise<T> promise = Promise.promise();
    loop.runOnContext(v -> {
      try {
        promise.complete(task.get());
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return await(promise.future(), "the chaos event loop");
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " did not answer within 30 s", e);
    }
  }
}
