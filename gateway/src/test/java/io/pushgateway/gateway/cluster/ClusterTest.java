package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.core.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three gateway processes on 127.0.0.1 form one cluster: one stream, no sticky sessions. Every
 * subscriber of every transport on every node gets every event once and in order, wherever it was
 * published; a poller may hit another node on every request; when a node is killed with
 * {@code kill -9}, its clients resume elsewhere with their cursors and lose nothing; and a node
 * that joins later serves the full history.
 */
@Tag("cluster")
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTest {

  private static final Duration START = Duration.ofSeconds(90);
  private static final List<GatewayProcess> nodes = new CopyOnWriteArrayList<>();
  private static final Thread reaper = new Thread(() -> nodes.forEach(GatewayProcess::destroyNow));
  private static Vertx vertx;
  private static HttpClient http;

  @BeforeAll
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  static void startCluster() throws Exception {
    Runtime.getRuntime().addShutdownHook(reaper);
    vertx = Vertx.vertx();
    http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(16));
    List<Integer> ports = List.of(GatewayProcess.freePort(), GatewayProcess.freePort(), GatewayProcess.freePort());
    // The first node forms the cluster; the others then join it (started together they could
    // each form a cluster of their own and merge only minutes later).
    nodes.add(GatewayProcess.start("node-a", ports.get(0), ports));
    nodes.get(0).awaitListening(START);
    nodes.add(GatewayProcess.start("node-b", ports.get(1), ports));
    nodes.add(GatewayProcess.start("node-c", ports.get(2), ports));
    for (GatewayProcess node : nodes) {
      node.awaitListening(START);
      node.awaitMembers(3, START);
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    try {
      List<Thread> stops = new ArrayList<>();
      for (GatewayProcess node : nodes) {
        Thread stop = new Thread(() -> {
          try {
            node.close();
          } catch (InterruptedException e) {
            node.destroyNow();
          }
        });
        stop.start();
        stops.add(stop);
      }
      for (Thread stop : stops) {
        stop.join(15_000);
      }
      nodes.forEach(GatewayProcess::destroyNow);
      Runtime.getRuntime().removeShutdownHook(reaper);
    } finally {
      if (vertx != null) {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Order(1)
  void everySubscriberOnEveryNodeGetsEverythingOnceInOrder() throws Exception {
    String topic = "fanout";
    int count = 90;
    List<StreamClient> clients = new ArrayList<>();
    try {
      for (GatewayProcess node : nodes) {
        for (Transport transport : Transport.values()) {
          clients.add(StreamClient.create(transport, vertx, node.port()).open(topic));
        }
      }
      // All at once, spread over the nodes: the cluster alone decides the order.
      List<Future<Long>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        acks.add(publish(nodes.get(i % 3), topic, new JsonObject().put("n", i)));
      }
      Future.all(acks).await(30, TimeUnit.SECONDS);
      assertThat(acks.stream().map(Future::result).sorted()).containsExactlyElementsOf(ids(1, count));
      for (StreamClient client : clients) {
        client.awaitEvents(count);
        assertThat(client.ids(topic)).as(client.getClass().getSimpleName()).containsExactlyElementsOf(ids(1, count));
        assertThat(client.resets()).isEmpty();
      }
    } finally {
      closeAll(clients);
    }
  }

  @Test
  @Order(2)
  void pollerThatSwitchesNodeOnEveryRequestLosesNothing() throws Exception {
    String topic = "hop";
    int count = 60;
    Future<List<Long>> published = publishSlowly(topic, count, new ConcurrentSkipListSet<>());
    List<Long> received = new ArrayList<>();
    String cursor = topic + ":0";
    int requests = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (received.size() < count && System.nanoTime() < deadline) {
      // Short and long polls by turns, each on the next node: no stickiness at all.
      GatewayProcess node = nodes.get(requests % 3);
      String path = requests % 2 == 0 ? "/poll" : "/poll/long";
      String uri = path + "?topics=" + topic + "&timeout=2&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
      JsonObject answer = get(node, uri).await(10, TimeUnit.SECONDS);
      requests++;
      assertThat(answer.getJsonArray("resets")).isEmpty();
      answer.getJsonArray("events").forEach(e -> received.add(((JsonObject) e).getLong("id")));
      cursor = answer.getString("cursor");
    }
    published.await(30, TimeUnit.SECONDS);
    assertThat(received).containsExactlyElementsOf(ids(1, count));
    assertThat(requests).isGreaterThanOrEqualTo(6);
  }

  @Test
  @Order(3)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void clientsOfAKilledNodeResumeElsewhereWithoutLoss() throws Exception {
    String topic = "failover";
    int count = 120;
    GatewayProcess victim = nodes.get(2);
    List<StreamClient> before = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      before.add(StreamClient.create(transport, vertx, victim.port()).open(topic, topic + ":0"));
    }
    StreamClient witness = StreamClient.create(Transport.WS, vertx, nodes.get(0).port()).open(topic, topic + ":0");
    Set<Long> acked = new ConcurrentSkipListSet<>();
    List<StreamClient> after = new ArrayList<>();
    try {
      Future<List<Long>> published = publishSlowly(topic, count, acked);
      before.get(0).awaitEvents(count / 3);
      victim.kill();

      // Each client notices (or not: a poller just sees its next request fail) and goes to a
      // surviving node with the cursor it holds.
      for (int i = 0; i < before.size(); i++) {
        StreamClient old = before.get(i);
        old.close();
        String cursor = old.cursor() == null ? topic + ":0" : old.cursor();
        after.add(StreamClient.create(Transport.values()[i], vertx, nodes.get(i % 2).port()).open(topic, cursor));
      }
      published.await(60, TimeUnit.SECONDS);
      long lastId = get(nodes.get(1), "/api/topics/" + topic).await(10, TimeUnit.SECONDS).getLong("lastId");
      assertThat(acked).hasSize(count);
      assertThat(lastId).isGreaterThanOrEqualTo(count);
      witness.awaitEvents((int) lastId);
      assertThat(witness.ids(topic)).containsExactlyElementsOf(ids(1, (int) lastId));
      for (int i = 0; i < before.size(); i++) {
        StreamClient old = before.get(i);
        StreamClient resumed = after.get(i);
        resumed.awaitEvents((int) lastId - old.ids(topic).size());
        List<Long> all = new ArrayList<>(old.ids(topic));
        all.addAll(resumed.ids(topic));
        assertThat(all).as(Transport.values()[i] + " before and after the kill").containsExactlyElementsOf(ids(1, (int) lastId));
        assertThat(resumed.resets()).isEmpty();
      }
      assertThat(acked).allSatisfy(id -> assertThat(id).isBetween(1L, lastId));
    } finally {
      closeAll(before);
      closeAll(after);
      witness.close();
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aNodeThatJoinsServesTheFullHistory() throws Exception {
    List<Integer> members = List.of(nodes.get(0).clusterPort, nodes.get(1).clusterPort, GatewayProcess.freePort());
    GatewayProcess joiner = GatewayProcess.start("node-d", members.get(2), members);
    nodes.add(joiner);
    joiner.awaitListening(START);
    assertThat(get(joiner, "/ready").await(10, TimeUnit.SECONDS).getString("status")).isEqualTo("READY");
    for (String topic : List.of("fanout", "hop", "failover")) {
      long lastId = get(nodes.get(0), "/api/topics/" + topic).await(10, TimeUnit.SECONDS).getLong("lastId");
      JsonObject answer = get(joiner, "/poll?topics=" + topic + "&cursor=" + topic + ":0&limit=1000")
        .await(10, TimeUnit.SECONDS);
      assertThat(answer.getJsonArray("resets")).isEmpty();
      assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("id")))
        .as(topic).containsExactlyElementsOf(ids(1, lastId));
    }
  }

  /**
   * Publishes {@code count} events one after another over the live nodes in turn, moving on to
   * the next node when one fails (it may have been killed); collects the acknowledged ids.
   */
  private static Future<List<Long>> publishSlowly(String topic, int count, Set<Long> acked) {
    Promise<List<Long>> done = Promise.promise();
    List<Long> ids = new CopyOnWriteArrayList<>();
    vertx.runOnContext(v -> publishNext(topic, count, 0, 0, ids, acked, done));
    return done.future();
  }

  private static void publishNext(String topic, int count, int n, int attempt, List<Long> ids, Set<Long> acked,
                                  Promise<List<Long>> done) {
    if (n == count) {
      done.complete(ids);
      return;
    }
    if (attempt > 20) {
      done.fail("publish " + n + " failed on every node");
      return;
    }
    GatewayProcess node = nodes.get((n + attempt) % 3);
    if (!node.isAlive()) {
      publishNext(topic, count, n, attempt + 1, ids, acked, done);
      return;
    }
    publish(node, topic, new JsonObject().put("n", n))
      .onSuccess(id -> {
        ids.add(id);
        acked.add(id);
        vertx.setTimer(10, t -> publishNext(topic, count, n + 1, 0, ids, acked, done));
      })
      .onFailure(e -> vertx.setTimer(50, t -> publishNext(topic, count, n, attempt + 1, ids, acked, done)));
  }

  private static Future<Long> publish(GatewayProcess node, String topic, JsonObject data) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(node.port())
      .setURI("/api/topics/" + topic + "/events").putHeader("Content-Type", "application/json").setIdleTimeout(20_000);
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> r.send(Buffer.buffer(data.encode())))
      .compose(r -> r.statusCode() == 201 ? r.body() : Future.failedFuture("publish answered " + r.statusCode()))
      .map(body -> body.toJsonObject().getLong("id")));
  }

  private static Future<JsonObject> get(GatewayProcess node, String uri) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(node.port())
      .setURI(uri).setIdleTimeout(20_000);
    // On an event loop, so the body's handler is on before its chunks arrive.
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> r.send())
      .compose(r -> r.statusCode() == 200 ? r.body() : Future.failedFuture(uri + " answered " + r.statusCode()))
      .map(Buffer::toJsonObject));
  }

  private static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static void closeAll(List<StreamClient> clients) {
    for (StreamClient client : clients) {
      try {
        client.close();
      } catch (Exception e) {
        // already gone with its node
      }
    }
  }
}
