package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slow consumers over the real wire: a client that stops reading while events flow is closed
 * (WebSocket 1013, SSE end of stream) once {@code maxQueueBytes} wait for it, resumes with the
 * cursor of what it did receive and loses nothing, while another subscriber of the same topic
 * receives every event meanwhile. Big payloads and an 8 KiB client receive buffer make the
 * kernel's socket buffers fill after a few MB instead of absorbing the whole run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowConsumerTest {

  /** Enough to fill the loopback socket buffers several times over; the loop stops much earlier. */
  private static final int MAX_EVENTS = 600;
  private static final String PAD = new JsonObject().put("pad", "x".repeat(60_000)).encode();

  private TestGateway gateway;
  /** Publish the pad as bytes (binary events) rather than JSON. */
  private boolean binary;
  private final List<StreamClient> clients = new ArrayList<>();

  private void start(String writePath) throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxQueueBytes", 1024).put("instances", 1)
      .put("writePath", writePath));
  }

  @AfterEach
  void stop() throws Exception {
    for (StreamClient client : clients) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Each write path, with JSON events and with binary events in binary frames (two frames each). */
  static Stream<Arguments> webSockets() {
    return Stream.of("netty", "vertx").flatMap(path -> Stream.of(Arguments.of(path, false), Arguments.of(path, true)));
  }

  @ParameterizedTest(name = "on {0}, binary {1}")
  @MethodSource("webSockets")
  void aWebSocketThatStopsReadingIsClosedWith1013AndResumesWithoutLoss(String writePath, boolean binary)
    throws Exception {
    start(writePath);
    this.binary = binary;
    gateway.publish("slow", new JsonObject().put("n", 0));
    StreamClient bystander = track(new WsClient(gateway.vertx, gateway.port()).open("slow", "slow:0"));

    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    Promise<Void> caughtUp = Promise.promise();
    Promise<Short> closed = Promise.promise();
    // Keep the client referenced: Vert.x closes a client that becomes unreachable.
    WebSocketClient stalledClient = gateway.vertx.createWebSocketClient(
      new WebSocketClientOptions().setReceiveBufferSize(8192));
    ClientWebSocket stalled = stalledClient.webSocket();
    stalled.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      frames.add(frame);
      if (frame.getLong("id", -1L) == 1 && frame.getString("op") == null) {
        caughtUp.tryComplete();
      }
    });
    stalled.closeHandler(v -> closed.tryComplete(stalled.closeStatusCode()));
    stalled.connect(gateway.port(), "127.0.0.1", "/ws?topics=slow&cursor=slow:0" + (binary ? "&binary=1" : ""))
      .await(10, TimeUnit.SECONDS);
    caughtUp.future().await(10, TimeUnit.SECONDS);

    stalled.pause();
    long published = 1 + publishUntil("slow", "ws", 1);
    stalled.resume();
    assertThat(closed.future().await(30, TimeUnit.SECONDS)).isEqualTo((short) 1013);

    // What the stalled client did receive is a gapless prefix; its cursor resumes the rest.
    String epoch = frames.stream().filter(f -> "subscribed".equals(f.getString("op")))
      .findFirst().orElseThrow().getString("epoch");
    List<Long> received = frames.stream().filter(f -> f.getString("op") == null).map(f -> f.getLong("id")).toList();
    long last = received.get(received.size() - 1);
    assertThat(received).containsExactlyElementsOf(ids(1, last));
    assertThat(last).isLessThan(published);

    StreamClient resumed = track(new WsClient(gateway.vertx, gateway.port()).open("slow", "slow:" + last + ":" + epoch));
    resumed.awaitEvents((int) (published - last));
    assertThat(resumed.ids("slow")).containsExactlyElementsOf(ids(last + 1, published));
    bystander.awaitEvents((int) published);
    assertThat(bystander.ids("slow")).containsExactlyElementsOf(ids(1, published));
    stalledClient.close();
  }

  /**
   * A conflating client ({@code conflate=1}) that stops reading is not a slow consumer: its events
   * wait as one newest per topic while its queue is full, instead of filling it. A client that does
   * not conflate, stalled beside it under the same load, is closed; the conflating one stays and,
   * reading again, gets the topic's newest event.
   */
  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void aConflatingWebSocketThatStopsReadingIsKeptAndGetsTheNewest(String writePath) throws Exception {
    start(writePath);
    gateway.publish("slowconflated", new JsonObject().put("n", 0));
    Stalled conflating = stalledWebSocket("/ws?topics=slowconflated&cursor=slowconflated:0&conflate=1");
    Stalled control = stalledWebSocket("/ws?topics=slowconflated&cursor=slowconflated:0");

    long published = 1 + publishUntil("slowconflated", "ws", 1);
    // as much again: without its pace the conflating client's queue would overflow too
    for (long more = published; more > 0; more -= 10) {
      List<Future<TestGateway.Reply>> pads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pads.add(publishPad("slowconflated"));
      }
      Future.all(pads).await(30, TimeUnit.SECONDS);
      published += pads.size();
    }
    control.socket.resume();
    conflating.socket.resume();
    assertThat(control.closed.future().await(30, TimeUnit.SECONDS)).isEqualTo((short) 1013);
    conflating.newest(published).await(30, TimeUnit.SECONDS);
    assertThat(conflating.closed.future().isComplete()).as("the conflating client is still connected").isFalse();
    assertThat(conflating.ids).as("skipping, in order").isSorted().doesNotHaveDuplicates()
      .hasSizeLessThan((int) published);
    conflating.client.close();
    control.client.close();
  }

  /** A WebSocket that read its first event and then stopped reading. */
  private record Stalled(WebSocketClient client, ClientWebSocket socket, List<Long> ids, Promise<Short> closed) {
    /** Completes once the event with {@code id} arrived. */
    Future<Void> newest(long id) {
      Promise<Void> arrived = Promise.promise();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Runnable[] check = new Runnable[1];
      check[0] = () -> {
        if (ids.contains(id)) {
          arrived.tryComplete();
        } else if (System.nanoTime() > deadline) {
          arrived.tryFail("no event " + id + " among " + ids.size() + " received");
        } else {
          CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(check[0]);
        }
      };
      check[0].run();
      return arrived.future();
    }
  }

  private Stalled stalledWebSocket(String uri) throws Exception {
    List<Long> ids = new CopyOnWriteArrayList<>();
    Promise<Void> first = Promise.promise();
    Promise<Short> closed = Promise.promise();
    // Keep the client referenced: Vert.x closes a client that becomes unreachable.
    WebSocketClient client = gateway.vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(8192));
    ClientWebSocket socket = client.webSocket();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if (frame.getString("op") == null) {
        ids.add(frame.getLong("id"));
        first.tryComplete();
      }
    });
    socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
    socket.connect(gateway.port(), "127.0.0.1", uri).await(10, TimeUnit.SECONDS);
    first.future().await(10, TimeUnit.SECONDS);
    socket.pause();
    return new Stalled(client, socket, ids, closed);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"netty", "vertx"})
  void anSseStreamThatStopsReadingIsEndedAndResumesWithoutLoss(String writePath) throws Exception {
    start(writePath);
    gateway.publish("slowsse", new JsonObject().put("n", 0));
    StreamClient bystander = track(new SseClient(gateway.vertx, gateway.port()).open("slowsse", "slowsse:0"));

    StringBuilder text = new StringBuilder();
    Promise<Void> caughtUp = Promise.promise();
    Promise<Void> ended = Promise.promise();
    HttpClient stalledClient = gateway.vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(8192));
    // The chain runs on an event loop, so the handler is on before the first chunk can arrive.
    HttpClientResponse stalled = StreamClient.onContext(gateway.vertx.getOrCreateContext(), () -> stalledClient
      .request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/sse?topics=slowsse&cursor=slowsse:0")
      .compose(r -> r.send())
      .map(r -> {
        r.handler(chunk -> {
          synchronized (text) {
            text.append(chunk.toString(StandardCharsets.UTF_8));
            if (text.indexOf("data: ") >= 0) {
              caughtUp.tryComplete();
            }
          }
        });
        r.endHandler(v -> ended.tryComplete());
        return r;
      }))
      .await(10, TimeUnit.SECONDS);
    assertThat(stalled.statusCode()).isEqualTo(200);
    caughtUp.future().await(10, TimeUnit.SECONDS);

    stalled.pause();
    long published = 1 + publishUntil("slowsse", "sse", 1);
    stalled.resume();
    ended.future().await(30, TimeUnit.SECONDS);

    // Every complete event the stalled client got, and the id: line of the last one: the stream
    // was cut where the client had stopped reading, maybe inside an event, which a client drops.
    List<Long> received = new ArrayList<>();
    String lastId = null;
    synchronized (text) {
      String complete = text.substring(0, text.lastIndexOf("\n\n"));
      for (String block : complete.split("\n\n")) {
        String id = null;
        for (String line : block.split("\n")) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            received.add(new JsonObject(line.substring(6)).getLong("id"));
            lastId = id;
          }
        }
      }
    }
    long last = received.get(received.size() - 1);
    assertThat(received).containsExactlyElementsOf(ids(1, last));
    assertThat(last).isLessThan(published);
    assertThat(lastId).startsWith("slowsse:" + last + ":");

    StreamClient resumed = track(new SseClient(gateway.vertx, gateway.port()).open("slowsse", null, lastId));
    resumed.awaitEvents((int) (published - last));
    assertThat(resumed.ids("slowsse")).containsExactlyElementsOf(ids(last + 1, published));
    bystander.awaitEvents((int) published);
    assertThat(bystander.ids("slowsse")).containsExactlyElementsOf(ids(1, published));
    stalledClient.close();
  }

  /**
   * Publishes big events in small concurrent batches until the topic's {@code transport}
   * subscribers drop to {@code remaining} (the stalled one was closed), then one more; returns how many.
   */
  private int publishUntil(String topic, String transport, int remaining) throws Exception {
    int published = 0;
    while (published < MAX_EVENTS) {
      List<Future<TestGateway.Reply>> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        batch.add(publishPad(topic));
      }
      Future.all(batch).await(30, TimeUnit.SECONDS);
      batch.forEach(reply -> assertThat(reply.result().status()).isEqualTo(201));
      published += batch.size();
      int subscribers = gateway.get("/api/topics/" + topic).json().getJsonObject("subscribers").getInteger(transport);
      if (subscribers <= remaining) {
        // One more after the close, so the stalled subscriber has certainly missed something
        // and its resume is put to the test.
        assertThat(publishPad(topic).await(30, TimeUnit.SECONDS).status()).isEqualTo(201);
        return published + 1;
      }
    }
    throw new AssertionError("the stalled " + transport + " client was still open after " + published + " events");
  }

  private Future<TestGateway.Reply> publishPad(String topic) {
    return binary
      ? gateway.requestAsync(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(PAD), "image/png")
      : gateway.requestAsync(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(PAD), "application/json");
  }

  private StreamClient track(StreamClient client) {
    clients.add(client);
    return client;
  }

  private static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
