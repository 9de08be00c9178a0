package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Scrape;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three gateway processes on 127.0.0.1 form one cluster: one stream, no sticky sessions. Every
 * subscriber of every transport on every node gets every event once and in order, wherever it was
 * published; a poller may hit another node on every request; when a node is killed with
 * {@code kill -9}, its clients resume elsewhere with their cursors and lose nothing; and a node
 * that joins later serves the full history. Once every node reports its backups in sync again,
 * a second node may die too: the last one left serves every history.
 */
@Tag("cluster")
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTest {

  @RegisterExtension
  static final GatewayCluster cluster = GatewayCluster.of(3, "node");
  private static final List<GatewayProcess> nodes = cluster.nodes();
  private static Vertx vertx;
  private static HttpClient http;

  @BeforeAll
  static void startClient() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(16));
  }

  @AfterAll
  static void stopClient() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
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
        acks.add(publish(nodes.get(i % 3), topic, new JsonObject().put("n", i), null));
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
  void batchesToManyTopicsShareCallsToTheirOwnersAndReachEveryNodeInOrder() throws Exception {
    int topics = 60; // within maxTopicsPerSubscription, so one subscriber per node takes them all
    int rounds = 3;
    List<StreamClient> clients = new ArrayList<>();
    try {
      String[] names = IntStream.range(0, topics).mapToObj(t -> "spread." + t).toArray(String[]::new);
      for (GatewayProcess node : nodes) {
        clients.add(StreamClient.create(Transport.WS, vertx, node.port()).open(String.join(",", names)));
      }
      GatewayProcess publisher = nodes.get(0);
      long callsBefore = appendCalls(publisher);
      // Each batch appends one event to every topic at once, on one event loop: the topics'
      // batches wait for their owner's call in flight and leave together.
      for (int round = 1; round <= rounds; round++) {
        JsonArray events = new JsonArray();
        for (String name : names) {
          events.add(new JsonObject().put("topic", name).put("data", new JsonObject().put("round", round)));
        }
        JsonArray results = publishBatch(publisher, new JsonObject().put("events", events)).await(30, TimeUnit.SECONDS);
        for (int t = 0; t < topics; t++) {
          assertThat(results.getJsonObject(t).getLong("id")).as(names[t] + " in round " + round).isEqualTo(round);
        }
      }
      long calls = appendCalls(publisher) - callsBefore;
      System.out.printf("%d topic batches took %d calls to their owners%n", topics * rounds, calls);
      // a call per topic batch if they did not share (three owners: at least three calls a round)
      assertThat(calls).as("calls to owners for " + topics * rounds + " topic batches").isLessThan(topics * rounds / 2);
      for (StreamClient client : clients) {
        client.awaitEvents(topics * rounds);
        for (String name : names) {
          assertThat(client.ids(name)).as(name).containsExactlyElementsOf(ids(1, rounds));
        }
      }
    } finally {
      closeAll(clients);
    }
  }

  /**
   * Deltas on every node: each node learns an event's predecessor as its relay hands events on in
   * order, so subscribers everywhere get patches, and read back the same data.
   */
  @Test
  @Order(2)
  void subscribersOfDeltasOnEveryNodeGetPatchesAndTheSameData() throws Exception {
    String topic = "deltas";
    int count = 30;
    List<StreamClient> clients = new ArrayList<>();
    try {
      for (GatewayProcess node : nodes) {
        for (Transport transport : Transport.values()) {
          clients.add(StreamClient.create(transport, vertx, node.port()).deltas().open(topic));
        }
      }
      String pad = "the part of the data that stays the same from one event to the next";
      for (int i = 0; i < count; i++) {
        publish(nodes.get(i % 3), topic, new JsonObject().put("n", i).put("pad", pad), null).await(20, TimeUnit.SECONDS);
      }
      for (StreamClient client : clients) {
        List<JsonObject> events = client.awaitEvents(count);
        assertThat(events).extracting(e -> e.getJsonObject("data").getInteger("n"))
          .as(client.getClass().getSimpleName()).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
        assertThat(events).filteredOn(e -> e.getBoolean("viaPatch", false)).as(client.getClass().getSimpleName())
          .hasSizeGreaterThan(count / 2);
      }
    } finally {
      closeAll(clients);
    }
  }

  /** A late subscriber on any node, on any transport, starts with the topic's newest events (rewind), then live. */
  @Test
  @Order(2)
  void lateSubscribersOnEveryNodeRewindToTheNewestEvents() throws Exception {
    String topic = "rewound";
    for (int i = 1; i <= 8; i++) {
      publish(nodes.get(i % 3), topic, new JsonObject().put("n", i), null).await(20, TimeUnit.SECONDS);
    }
    List<StreamClient> clients = new ArrayList<>();
    try {
      for (GatewayProcess node : nodes) {
        for (Transport transport : Transport.values()) {
          clients.add(StreamClient.create(transport, vertx, node.port()).query("rewind=3").open(topic));
        }
      }
      publish(nodes.get(0), topic, new JsonObject().put("n", 9), null).await(20, TimeUnit.SECONDS);
      for (StreamClient client : clients) {
        client.awaitEvents(4);
        assertThat(client.ids(topic)).as(client.getClass().getSimpleName()).containsExactly(6L, 7L, 8L, 9L);
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
    // Meanwhile batches over many topics go to node 0: calls carrying several topics' appends are
    // on their way to the victim when it dies.
    String[] spread = IntStream.range(0, 30).mapToObj(t -> "failover.spread." + t).toArray(String[]::new);
    Map<String, Set<Integer>> spreadAcked = new ConcurrentHashMap<>();
    AtomicBoolean spreading = new AtomicBoolean(true);
    try {
      Future<List<Long>> published = publishSlowly(topic, count, acked);
      Future<Integer> batches = publishBatchesWhile(spreading, spread, spreadAcked);
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
      spreading.set(false);
      assertThat(batches.await(60, TimeUnit.SECONDS)).as("batches published across the kill").isGreaterThan(1);
      for (String name : spread) {
        List<Integer> stored = rounds(nodes.get(1), name);
        assertThat(stored).as(name + ": each batch stored once, in order").isSorted().doesNotHaveDuplicates();
        assertThat(stored).as(name + ": every acknowledged event stored").containsAll(spreadAcked.get(name));
      }
      long lastId = get(nodes.get(1), "/api/topics/" + topic).await(10, TimeUnit.SECONDS).getLong("lastId");
      assertThat(acked).hasSize(count);
      assertThat(lastId).as("each publish stored once: retries across the kill carry their keys").isEqualTo(count);
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
    GatewayProcess joiner = cluster.add(GatewayProcess.start("node-d", members.get(2), members));
    joiner.awaitListening(GatewayCluster.START);
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

  @Test
  @Order(5)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aSecondNodeMayDieOnceTheBackupsAreInSync() throws Exception {
    List<GatewayProcess> alive = nodes.stream().filter(GatewayProcess::isAlive).toList();
    assertThat(alive).hasSize(3);
    // topics over many partitions, so each node is the first home of some
    List<String> topics = IntStream.range(0, 40).mapToObj(i -> "second-" + i).toList();
    List<Future<Long>> acks = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      for (String topic : topics) {
        acks.add(publish(alive.get(k % 3), topic, new JsonObject().put("k", k), null));
      }
    }
    Future.all(acks).await(30, TimeUnit.SECONDS);
    Map<String, Long> lastIds = new HashMap<>();
    for (String topic : List.of("fanout", "hop", "failover")) { // the earlier tests' topics
      lastIds.put(topic, get(alive.get(0), "/api/topics/" + topic).await(10, TimeUnit.SECONDS).getLong("lastId"));
    }

    awaitBackupsInSync(alive, 3);
    for (GatewayProcess node : alive) {
      assertThat(get(node, "/ready").await(10, TimeUnit.SECONDS).getJsonObject("cluster"))
        .isEqualTo(new JsonObject().put("members", 3).put("backupsInSync", true));
    }
    alive.get(1).kill();
    List<GatewayProcess> survivors = List.of(alive.get(0), alive.get(2));
    awaitBackupsInSync(survivors, 2);
    survivors.get(1).kill();

    GatewayProcess last = survivors.get(0);
    last.awaitMembers(1, GatewayCluster.START);
    for (String topic : topics) {
      JsonObject answer = get(last, "/poll?topics=" + topic + "&cursor=" + topic + ":0").await(10, TimeUnit.SECONDS);
      assertThat(answer.getJsonArray("resets")).as(topic).isEmpty();
      assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("id")))
        .as(topic).containsExactlyElementsOf(ids(1, 5));
    }
    for (Map.Entry<String, Long> topic : lastIds.entrySet()) {
      JsonObject answer = get(last, "/poll?topics=" + topic.getKey() + "&cursor=" + topic.getKey() + ":0&limit=1000")
        .await(10, TimeUnit.SECONDS);
      assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("id")))
        .as(topic.getKey()).containsExactlyElementsOf(ids(1, topic.getValue()));
    }
  }

  /**
   * Publishes {@code count} events one after another over the live nodes in turn, moving on to
   * the next node when one fails (it may have been killed), each with an idempotency key of its
   * own: a retry whose first try was stored gets that event, so each is stored once. Collects
   * the acknowledged ids.
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
    publish(node, topic, new JsonObject().put("n", n), topic + "-" + n)
      .onSuccess(id -> {
        ids.add(id);
        acked.add(id);
        vertx.setTimer(10, t -> publishNext(topic, count, n + 1, 0, ids, acked, done));
      })
      .onFailure(e -> vertx.setTimer(50, t -> publishNext(topic, count, n, attempt + 1, ids, acked, done)));
  }

  /** The id of the event stored; {@code key}: its idempotency key, or null. */
  private static Future<Long> publish(GatewayProcess node, String topic, JsonObject data, String key) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(node.port())
      .setURI("/api/topics/" + topic + "/events").putHeader("Content-Type", "application/json").setIdleTimeout(20_000);
    if (key != null) {
      options.putHeader("Idempotency-Key", key);
    }
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> r.send(Buffer.buffer(data.encode())))
      .compose(r -> r.statusCode() == 201 ? r.body() : Future.failedFuture("publish answered " + r.statusCode()))
      .map(body -> body.toJsonObject().getLong("id")));
  }

  /**
   * Publishes one event to every topic per batch, to node 0, the next batch once the last is
   * answered, until {@code running} turns false; records each acknowledged event's round.
   * Completes with the number of batches.
   */
  private static Future<Integer> publishBatchesWhile(AtomicBoolean running, String[] topics,
                                                     Map<String, Set<Integer>> acked) {
    for (String topic : topics) {
      acked.put(topic, new ConcurrentSkipListSet<>());
    }
    Promise<Integer> done = Promise.promise();
    vertx.runOnContext(v -> publishBatchNext(running, topics, acked, 1, done));
    return done.future();
  }

  private static void publishBatchNext(AtomicBoolean running, String[] topics, Map<String, Set<Integer>> acked,
                                       int round, Promise<Integer> done) {
    if (!running.get()) {
      done.complete(round - 1);
      return;
    }
    JsonArray events = new JsonArray();
    for (String topic : topics) {
      events.add(new JsonObject().put("topic", topic).put("data", new JsonObject().put("round", round)));
    }
    publishBatch(nodes.get(0), new JsonObject().put("events", events))
      .onSuccess(results -> {
        for (int t = 0; t < topics.length; t++) {
          if (results.getJsonObject(t).containsKey("id")) {
            acked.get(topics[t]).add(round);
          }
        }
      })
      .onComplete(answered -> vertx.setTimer(10, t -> publishBatchNext(running, topics, acked, round + 1, done)));
  }

  /** The rounds stored in a topic's history, in id order, read with short polls. */
  private static List<Integer> rounds(GatewayProcess node, String topic) throws Exception {
    List<Integer> rounds = new ArrayList<>();
    String cursor = topic + ":0";
    while (true) {
      JsonObject page = get(node, "/poll?topics=" + topic + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))
        .await(10, TimeUnit.SECONDS);
      JsonArray events = page.getJsonArray("events");
      for (int i = 0; i < events.size(); i++) {
        rounds.add(events.getJsonObject(i).getJsonObject("data").getInteger("round"));
      }
      cursor = page.getString("cursor");
      if (!page.getBoolean("more", false)) {
        return rounds;
      }
    }
  }

  private static Future<JsonArray> publishBatch(GatewayProcess node, JsonObject batch) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(node.port())
      .setURI("/api/events").putHeader("Content-Type", "application/json").setIdleTimeout(20_000);
    return StreamClient.onContext(vertx.getOrCreateContext(), () -> http.request(options)
      .compose(r -> r.send(Buffer.buffer(batch.encode())))
      .compose(r -> r.statusCode() == 200 ? r.body() : Future.failedFuture("batch publish answered " + r.statusCode()))
      .map(body -> body.toJsonObject().getJsonArray("results")));
  }

  /** The node's calls to topic owners so far, from its Prometheus scrape. */
  private static long appendCalls(GatewayProcess node) throws Exception {
    Scrape scrape = Scrape.of(vertx, http, node.port());
    assertThat(scrape.has("pushgateway_cluster_append_batches_total")).as("pushgateway_cluster_append_batches_total in the scrape").isTrue();
    return (long) scrape.value("pushgateway_cluster_append_batches_total");
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

  /** Waits until every node reports {@code members} members and its backups in sync (/metrics). */
  private static void awaitBackupsInSync(List<GatewayProcess> on, int members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      List<String> states = new ArrayList<>();
      for (GatewayProcess node : on) {
        Scrape scrape = Scrape.of(vertx, http, node.port());
        states.add(scrape.value("pushgateway_cluster_members") + "/" + scrape.value("pushgateway_cluster_backups_in_sync"));
      }
      if (states.stream().allMatch((members + ".0/1.0")::equals)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("members/backups in sync on " + on.size() + " nodes: " + states);
      }
      vertx.timer(100).await(1, TimeUnit.SECONDS);
    }
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
