package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one delivery costs the fan-out's event loop, per write path: the loop thread's allocated
 * bytes and CPU time (the JVM counts both per thread) over a fixed number of deliveries, once with
 * N subscribers and once with 2N, so the per-event work (append, encoding, the bus) cancels out.
 * Counted work, not a rate: a busy machine changes the waiting, and the CPU figure only by what
 * sharing the cores costs (caches), so it is reported, never asserted.
 *
 * <p>The raw-channel path writes a view of bytes built once per event, so a delivery allocates
 * far less than the event's size; a path that copied or re-encoded per subscriber would allocate
 * at least that. The public-API path is measured and reported, not bounded: Vert.x encodes each
 * frame from the event's text (docs/performance.md).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WriteAllocationTest {

  /** Larger runs for docs/results: {@code -Dalloc.subscribers=5000 -Dalloc.events=20}. */
  private static final int SUBSCRIBERS = Integer.getInteger("alloc.subscribers", 200);
  private static final int EVENTS = Integer.getInteger("alloc.events", 200);
  /** A payload well above a view's size, so any per-delivery copy shows ({@code -Dalloc.payload=128}). */
  private static final String DATA = "\"" + "x".repeat(Integer.getInteger("alloc.payload", 1024)) + "\"";
  /** A view of shared bytes is about 40 B; a copy or a re-encoding would be the event's size and more. */
  private static final double MAX_BYTES_PER_DELIVERY = 64;

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"ws, netty", "sse, netty", "ws, vertx", "sse, vertx"})
  void aDeliveryAllocatesLessThanTheEventOnTheRawPath(String transport, String writePath) throws Exception {
    Vertx server = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true))
      .build();
    Vertx clients = Vertx.vertx();
    try {
      GatewayConfig config = GatewayConfig.fromJson(new JsonObject().put("host", "127.0.0.1").put("port", 0)
        .put("instances", 1).put("historySize", 4 * EVENTS).put("writePath", writePath));
      Gateway gateway = Gateway.deploy(server, config).await(20, TimeUnit.SECONDS);
      long loop = eventLoopThread(server);
      Fixture fixture = new Fixture(gateway, clients, transport);
      fixture.measure(SUBSCRIBERS, loop); // warm-up: the JIT compiles the fan-out first
      long[] single = fixture.measure(SUBSCRIBERS, loop);
      long[] doubled = fixture.measure(2 * SUBSCRIBERS, loop);
      long deliveries = (long) SUBSCRIBERS * EVENTS;
      double perDelivery = (double) (doubled[0] - single[0]) / deliveries;
      // The loop's CPU time (user and system, its socket writes included) over the same work.
      double cpuPerThousand = (doubled[1] - single[1]) / 1e6 / deliveries * 1000;
      System.out.printf("write path %s, %s: %.2f ms CPU per 1,000 deliveries, %.1f B per delivery"
          + " (%d subscribers: %.1f B per delivery in all)%n", writePath, transport, cpuPerThousand, perDelivery,
        2 * SUBSCRIBERS, (double) doubled[0] / (2 * deliveries));
      if (writePath.equals(GatewayConfig.WRITE_PATH_NETTY)) {
        assertThat(perDelivery).as("bytes allocated per delivery").isLessThan(MAX_BYTES_PER_DELIVERY);
      }
    } finally {
      clients.close().await(20, TimeUnit.SECONDS);
      server.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** The id of the server's one event loop thread. */
  private static long eventLoopThread(Vertx server) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    server.runOnContext(v -> id.complete(Thread.currentThread().getId()));
    return id.get(10, TimeUnit.SECONDS);
  }

  private static long allocatedBytes(long thread) {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(thread);
  }

  private static long cpuNanos(long thread) {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread);
  }

  /** Subscribers of one transport on a fresh topic each round, counting what they receive. */
  private static final class Fixture {
    private final Gateway gateway;
    private final Vertx clients;
    private final String transport;
    private final WebSocketClient ws;
    private final HttpClient http;
    private int round;

    Fixture(Gateway gateway, Vertx clients, String transport) {
      this.gateway = gateway;
      this.clients = clients;
      this.transport = transport;
      // one client connection per subscriber, as browsers hold them
      this.ws = clients.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
      this.http = clients.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(10_000));
    }

    /** Bytes the loop allocated, and its CPU nanoseconds, while {@code subscribers} received {@link #EVENTS} events. */
    long[] measure(int subscribers, long loop) throws Exception {
      String topic = "alloc-" + transport + "-" + round++;
      AtomicLong received = new AtomicLong();
      List<Runnable> closers = new ArrayList<>();
      for (int i = 0; i < subscribers; i++) {
        closers.add(subscribe(topic, received).await(20, TimeUnit.SECONDS));
      }
      // A first event that every subscriber receives: from then on they all follow live.
      gateway.log().append(topic, DATA).await(10, TimeUnit.SECONDS);
      Eventually.check(clients, () -> assertThat(received.get()).isEqualTo(subscribers));
      received.set(0);
      long before = allocatedBytes(loop);
      long cpuBefore = cpuNanos(loop);
      for (int n = 0; n < EVENTS; n++) {
        gateway.log().append(topic, DATA).await(10, TimeUnit.SECONDS);
      }
      Eventually.check(clients, () -> assertThat(received.get()).isEqualTo((long) subscribers * EVENTS));
      long[] used = {allocatedBytes(loop) - before, cpuNanos(loop) - cpuBefore};
      closers.forEach(Runnable::run);
      return used;
    }

    /** Counts events: WebSocket frames carrying data, or SSE {@code data:} lines. */
    private Future<Runnable> subscribe(String topic, AtomicLong received) {
      String query = "?topics=" + topic + "&cursor=" + topic + ":0";
      if (transport.equals("ws")) {
        return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/ws" + query))
          .map(socket -> {
            socket.textMessageHandler(text -> {
              if (text.startsWith("{\"topic\"")) {
                received.incrementAndGet();
              }
            });
            return () -> socket.close();
          });
      }
      RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(gateway.port()).setURI("/sse" + query);
      return http.request(get).compose(request -> request.send()).map((HttpClientResponse response) -> {
        StringBuilder tail = new StringBuilder();
        response.handler(chunk -> {
          // a data: line split between two reads is counted once, where it completes
          String text = tail + chunk.toString();
          received.addAndGet(count(text));
          tail.setLength(0);
          tail.append(text, Math.max(0, text.length() - 6), text.length());
        });
        return () -> response.request().connection().close();
      });
    }

    /** SSE events whose {@code data:} line starts in this chunk (the gateway writes each event whole). */
    private static long count(String chunk) {
      long n = 0;
      for (int i = chunk.indexOf("data: {"); i >= 0; i = chunk.indexOf("data: {", i + 1)) {
        n++;
      }
      return n;
    }
  }
}
