package io.pushgateway.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.Gateway;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.Hub;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.Reset;
import io.pushgateway.gateway.core.Stored;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The protocol's history rules, held against both logs through the one {@link EventLog}
 * interface: the in-memory single node and the Hazelcast log (a one-member cluster in this
 * process). Ids +1 from 1; "now"; {@code topic:0} is everything kept; a trusted id without its
 * epoch; a reset for an id gone from the history, an id past the head and another epoch; the
 * limit over several topics with {@code more}. And one thing of the cluster log's own: Hazelcast's
 * answers reach it without a thread started for each.
 */
@Tag("cluster")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLogRulesTest {

  private static final int HISTORY = 3;
  private static final Map<String, Vertx> VERTX = new LinkedHashMap<>();
  private static final Map<String, EventLog> LOGS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    JsonObject options = new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 1)
      .put("historySize", HISTORY).put("topicIdleSeconds", 0).put("historyRules", "ruled.*=5,aged.*=3/1");
    Vertx local = Vertx.vertx();
    VERTX.put("local", local);
    LOGS.put("local", Gateway.deploy(local, GatewayConfig.fromJson(options)).await(30, TimeUnit.SECONDS).log());

    int hazelcastPort = GatewayProcess.freePort();
    GatewayConfig cluster = GatewayConfig.fromJson(options.copy()
      .put("cluster", true).put("clusterHost", "127.0.0.1").put("clusterPort", hazelcastPort)
      .put("clusterMembers", "127.0.0.1:" + hazelcastPort));
    ClusterNode node = ClusterNode.join(cluster, Vertx.builder().with(ClusterNode.options(cluster)))
      .await(90, TimeUnit.SECONDS);
    VERTX.put("cluster", node.vertx());
    LOGS.put("cluster", Gateway.deploy(node, cluster, new GatewayMetrics()).await(60, TimeUnit.SECONDS).log());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Vertx vertx : VERTX.values()) {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void theCursorRulesAreTheSameOnEveryLog(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "rules." + kind;
    for (int i = 1; i <= 5; i++) {
      assertThat(log.append(topic, Integer.toString(i)).await(10, TimeUnit.SECONDS).id()).isEqualTo(i);
    }
    String epoch = read(log, topic, new Position(4, null)).cursor().get(topic).epoch();
    assertThat(epoch).as("every cursor entry handed out names its epoch").isNotNull();

    // now: nothing, and the position is the head
    ReadResult now = read(log, topic, null);
    assertThat(now.events()).isEmpty();
    assertThat(now.cursor().get(topic)).isEqualTo(new Position(5, epoch));
    // topic:0 is everything still kept (3..5 of 5 with a history of 3), never a reset
    assertThat(ids(read(log, topic, new Position(0, null)))).containsExactly(3L, 4L, 5L);
    assertThat(read(log, topic, new Position(0, null)).resets()).isEmpty();
    // a kept position, with or without its epoch
    assertThat(ids(read(log, topic, new Position(3, epoch)))).containsExactly(4L, 5L);
    assertThat(ids(read(log, topic, new Position(4, null)))).containsExactly(5L);
    assertThat(read(log, topic, new Position(5, epoch)).events()).isEmpty();
    // resets: gone from the history, past the head, another epoch; then everything kept
    for (Position unkept : List.of(new Position(1, epoch), new Position(9, epoch), new Position(4, "elsewhere"))) {
      ReadResult reset = read(log, topic, unkept);
      assertThat(reset.resets()).as("reset for " + unkept).containsExactly(new Reset(topic, 3, epoch));
      assertThat(ids(reset)).containsExactly(3L, 4L, 5L);
    }
  }

  /** {@code historyRules}: a topic of a rule keeps the rule's count and age on every log, others the defaults. */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void aHistoryRuleHoldsOnEveryLog(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String ruled = "ruled." + kind;
    for (int i = 1; i <= 7; i++) {
      log.append(ruled, Integer.toString(i)).await(10, TimeUnit.SECONDS);
    }
    assertThat(ids(read(log, ruled, new Position(0, null)))).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(ids(read(log, ruled, new Position(1, null)))).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(read(log, ruled, new Position(1, null)).resets()).hasSize(1);

    String aged = "aged." + kind;
    log.append(aged, "1").await(10, TimeUnit.SECONDS);
    Eventually.check(VERTX.get(kind), () -> {
      assertThat(read(log, aged, new Position(0, null)).events()).as("older than its rule's second").isEmpty();
      TopicState state = log.state(aged).await(10, TimeUnit.SECONDS).orElseThrow();
      assertThat(state.oldestId()).as("no event kept").isGreaterThan(state.lastId());
    });
  }

  /** A rewind (a subscription's {@code rewind=N}): the newest N kept, or all kept, never a reset; then a real cursor. */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void aRewindStartsThatManyEventsBeforeTheHead(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "rewind." + kind;
    for (int i = 1; i <= 5; i++) {
      log.append(topic, Integer.toString(i)).await(10, TimeUnit.SECONDS);
    }
    String epoch = read(log, topic, null).cursor().get(topic).epoch();
    ReadResult two = read(log, topic, Position.rewind(2));
    assertThat(ids(two)).containsExactly(4L, 5L);
    assertThat(two.resets()).isEmpty();
    assertThat(two.cursor().get(topic)).isEqualTo(new Position(5, epoch));
    ReadResult more = read(log, topic, Position.rewind(50));
    assertThat(ids(more)).as("all that is kept").containsExactly(3L, 4L, 5L);
    assertThat(more.resets()).isEmpty();
    assertThat(ids(readNewest(log, topic, Position.rewind(2)))).containsExactly(5L);
    ReadResult none = read(log, "rewind.none." + kind, Position.rewind(3));
    assertThat(none.events()).isEmpty();
    assertThat(none.cursor().get("rewind.none." + kind).id()).isZero();
  }

  /** A conflating subscriber's read (newestOnly): the newest alone, a reset only for another history. */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void aNewestOnlyReadSkipsToTheNewestEvent(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "newest." + kind;
    for (int i = 1; i <= 5; i++) {
      log.append(topic, Integer.toString(i)).await(10, TimeUnit.SECONDS);
    }
    String epoch = read(log, topic, null).cursor().get(topic).epoch();
    for (Position behind : List.of(new Position(0, null), new Position(1, epoch), new Position(3, null))) {
      ReadResult newest = readNewest(log, topic, behind);
      assertThat(ids(newest)).as("from " + behind).containsExactly(5L);
      assertThat(newest.resets()).as("from " + behind).isEmpty();
      assertThat(newest.more()).isFalse();
    }
    assertThat(readNewest(log, topic, new Position(5, epoch)).events()).isEmpty();
    assertThat(readNewest(log, topic, null).events()).as("now is now").isEmpty();
    for (Position other : List.of(new Position(4, "elsewhere"), new Position(9, epoch))) {
      ReadResult reset = readNewest(log, topic, other);
      assertThat(reset.resets()).as("reset for " + other).containsExactly(new Reset(topic, 3, epoch));
      assertThat(ids(reset)).containsExactly(5L);
    }
  }

  private static ReadResult readNewest(EventLog log, String topic, Position position) throws Exception {
    return read(log, topic, position, Set.of(topic));
  }

  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void theLimitCountsOverAllTopicsInTheirOrder(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String a = "limit.a." + kind;
    String b = "limit.b." + kind;
    for (int i = 0; i < 2; i++) {
      log.append(a, "1").await(10, TimeUnit.SECONDS);
      log.append(b, "1").await(10, TimeUnit.SECONDS);
    }
    Map<String, Position> fromStart = new LinkedHashMap<>();
    fromStart.put(a, new Position(0, null));
    fromStart.put(b, new Position(0, null));
    ReadResult first = log.read(new ReadRequest(List.of(a, b), Cursor.of(fromStart), 3)).await(10, TimeUnit.SECONDS);
    assertThat(first.events()).extracting(e -> e.topic() + ":" + e.id()).containsExactly(a + ":1", a + ":2", b + ":1");
    assertThat(first.more()).isTrue();
    ReadResult rest = log.read(new ReadRequest(List.of(a, b), first.cursor(), 3)).await(10, TimeUnit.SECONDS);
    assertThat(rest.events()).extracting(e -> e.topic() + ":" + e.id()).containsExactly(b + ":2");
    assertThat(rest.more()).isFalse();
  }

  /**
   * The history gauges count on both: topics (the cluster's within its 2 s probe) and kept events
   * (the cluster's as its owner counted them, relayed with each event).
   */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void theHistoryGaugesCountKeptEventsAndTopics(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    awaitSteady(log);
    long events = log.keptEvents();
    long topics = log.topicCount();
    for (int i = 0; i < HISTORY + 2; i++) {
      log.append("gauges." + kind, "1").await(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long keptAfter = events + HISTORY;
    while ((log.keptEvents() != keptAfter || log.topicCount() != topics + 1) && System.nanoTime() < deadline) {
      VERTX.get(kind).timer(50).await(1, TimeUnit.SECONDS);
    }
    assertThat(log.keptEvents()).as("events kept: the history's bound, not every append").isEqualTo(keptAfter);
    assertThat(log.topicCount()).isEqualTo(topics + 1);
  }

  /**
   * A read hands out the very events the hubs delivered, so the forms they were written in (built
   * once per event) serve the read too: on the cluster as well, whose owner sends only the data.
   */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void aReadHandsOutTheEventsAsTheHubsGotThem(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "delivered." + kind;
    Follower hub = Follower.listen(kind, topic);
    try {
      for (int i = 1; i <= HISTORY; i++) {
        log.append(topic, Integer.toString(i)).await(10, TimeUnit.SECONDS);
      }
      List<Event> delivered = hub.await(HISTORY);
      assertThat(delivered).hasSize(HISTORY);
      List<Event> read = read(log, topic, new Position(0, null)).events();
      assertThat(read).hasSize(HISTORY);
      for (int i = 0; i < HISTORY; i++) {
        assertThat(read.get(i)).as("event " + (i + 1)).isSameAs(delivered.get(i));
      }
    } finally {
      hub.close();
    }
  }

  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void appendsMadeOneAfterAnotherKeepTheirOrderWithoutWaitingForEachOther(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "ordered." + kind;
    Vertx vertx = VERTX.get(kind);
    int count = 300;
    Follower hub = Follower.listen(kind, topic);
    long roundTrips = log.appendBatches();
    try {
      // all on one event loop, none waiting for the one before, as a batch publish appends
      Promise<List<Event>> appended = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> {
        List<Future<Event>> each = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
          each.add(log.append(topic, Integer.toString(i)));
        }
        Future.all(each).map(all -> each.stream().map(Future::result).toList()).onComplete(appended);
      });
      List<Event> events = appended.future().await(30, TimeUnit.SECONDS);
      for (int i = 0; i < count; i++) {
        assertThat(events.get(i).id()).as("id of append " + (i + 1)).isEqualTo(i + 1);
      }
      assertThat(hub.await(count).stream().map(Event::id).toList()).as("handed to the hubs once each, in order")
        .isEqualTo(events.stream().map(Event::id).toList());
      long used = log.appendBatches() - roundTrips;
      if (kind.equals("cluster")) {
        System.out.printf("%d appends to one topic took %d round trips to its owner%n", count, used);
        assertThat(used).as("round trips to the owner: appends that came while one was in flight share one")
          .isLessThan(count / 4);
      } else {
        assertThat(used).as("an in-process log sends nothing anywhere").isZero();
      }
    } finally {
      hub.close();
    }
  }

  /**
   * Idempotency keys, the same on both logs: a key the topic keeps is answered with its event and
   * not stored again, whether it repeats an earlier publish, one of the same burst (on the cluster,
   * the same batch to the owner) or comes once the first was acknowledged; a key given again with
   * other data is refused; hubs get each stored event once; once its event left history, the key
   * is still answered with it for the key window.
   */
  @ParameterizedTest(name = "{0} log")
  @ValueSource(strings = {"local", "cluster"})
  void aKeyTheTopicHasSeenIsNotStoredTwice(String kind) throws Exception {
    EventLog log = LOGS.get(kind);
    String topic = "keys." + kind;
    Vertx vertx = VERTX.get(kind);
    Follower hub = Follower.listen(kind, topic);
    try {
      String[][] burst = {{"k1", "1"}, {null, "2"}, {"k1", "1"}, {"k2", "3"}, {"k2", "3"}, {"k1", "9"}, {null, "4"}};
      Promise<List<Future<Stored>>> sent = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> {
        List<Future<Stored>> each = new ArrayList<>();
        for (String[] publish : burst) {
          each.add(log.appendOnce(topic, publish[1], null, publish[0])); // none waits for the one before
        }
        Future.join(each).onComplete(done -> sent.complete(each));
      });
      List<Future<Stored>> answers = sent.future().await(30, TimeUnit.SECONDS);
      assertThat(answers.stream().map(a -> a.succeeded() ? a.result().event().id() + (a.result().duplicate() ? " again" : "")
        : ((GatewayException) a.cause()).code().code()))
        .containsExactly("1", "2", "1 again", "3", "3 again", "key_conflict", "4");
      assertThat(answers.get(2).result().event().ts()).isEqualTo(answers.get(0).result().event().ts());
      assertThat(hub.await(4).stream().map(e -> e.id() + ":" + e.dataJson().remaining()).toList())
        .as("each stored event reaches the hubs once").containsExactly("1:1", "2:1", "3:1", "4:1");

      Stored retried = log.appendOnce(topic, "3", null, "k2").await(10, TimeUnit.SECONDS);
      assertThat(retried.duplicate()).isTrue();
      assertThat(retried.event().id()).isEqualTo(3);
      assertThat(retried.event().ts()).isEqualTo(answers.get(3).result().event().ts());
      assertThat(ids(read(log, topic, new Position(0, null)))).as("nothing stored twice").containsExactly(2L, 3L, 4L);

      // event 1 left the history of 3, its key is remembered for the key window (two minutes)
      Stored again = log.appendOnce(topic, "1", null, "k1").await(10, TimeUnit.SECONDS);
      assertThat(again.duplicate()).isTrue();
      assertThat(again.event().id()).isEqualTo(1);
      assertThat(again.event().ts()).isEqualTo(answers.get(0).result().event().ts());
      Future<Stored> otherData = log.appendOnce(topic, "9", null, "k1");
      assertThat(otherData.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY_CONFLICT));
      // a binary event's key names its bytes and their type
      assertThat(log.appendOnce(topic, "\"AAAA\"", "image/png", "k3").await(10, TimeUnit.SECONDS).event().id()).isEqualTo(5);
      assertThat(log.appendOnce(topic, "\"AAAA\"", "image/png", "k3").await(10, TimeUnit.SECONDS).duplicate()).isTrue();
      Future<Stored> otherType = log.appendOnce(topic, "\"AAAA\"", null, "k3");
      assertThat(otherType.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KEY_CONFLICT));
      assertThat(hub.await(5)).hasSize(5);
      assertThat(log.state(topic).await(10, TimeUnit.SECONDS).orElseThrow().lastId()).isEqualTo(5);
    } finally {
      hub.close();
    }
  }

  @Test
  void clusterAnswersStartNoThreadEach() throws Exception {
    EventLog log = LOGS.get("cluster");
    Vertx vertx = VERTX.get("cluster");
    int count = 400;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long startedBefore = threads.getTotalStartedThreadCount();
    Promise<Void> appended = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<Event>> each = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        each.add(log.append("answers." + i, "1")); // a topic each: an answer each
      }
      Future.all(each).<Void>mapEmpty().onComplete(appended);
    });
    appended.future().await(30, TimeUnit.SECONDS);
    long started = threads.getTotalStartedThreadCount() - startedBefore;
    assertThat(started).as("threads started while " + count + " appends were answered").isLessThan(count / 10);
  }

  /** A hub of the node's, listening to one topic: the events the log hands it. */
  private record Follower(Vertx vertx, EventLog log, Hub hub, MessageConsumer<Event> consumer, List<Event> events) {

    static Follower listen(String kind, String topic) throws Exception {
      Vertx vertx = VERTX.get(kind);
      EventLog log = LOGS.get(kind);
      List<Event> events = new CopyOnWriteArrayList<>();
      Hub hub = new Hub();
      Promise<MessageConsumer<Event>> joined = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> {
        hub.add(topic, events::add);
        MessageConsumer<Event> consumer = log.hubs().join(vertx.eventBus(), hub, hub::dispatch);
        consumer.completion().map(consumer).onComplete(joined);
      });
      return new Follower(vertx, log, hub, joined.future().await(10, TimeUnit.SECONDS), events);
    }

    /** The events handed over once {@code count} came, or within 20 s. */
    List<Event> await(int count) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (events.size() < count && System.nanoTime() < deadline) {
        vertx.timer(20).await(1, TimeUnit.SECONDS);
      }
      return events;
    }

    void close() throws Exception {
      log.hubs().leave(hub);
      consumer.unregister().await(10, TimeUnit.SECONDS);
    }
  }

  /** Until a count has been taken since the last change (the cluster counts every 2 s). */
  private static void awaitSteady(EventLog log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long seen = -1;
    while (System.nanoTime() < deadline) {
      long now = log.keptEvents() * 1_000_003 + log.topicCount();
      if (now == seen) {
        return;
      }
      seen = now;
      VERTX.values().iterator().next().timer(2500).await(5, TimeUnit.SECONDS);
    }
  }

  private static ReadResult read(EventLog log, String topic, Position position) throws Exception {
    return read(log, topic, position, Set.of());
  }

  private static ReadResult read(EventLog log, String topic, Position position, Set<String> newestOnly)
    throws Exception {
    Cursor cursor = position == null ? Cursor.EMPTY : Cursor.of(Map.of(topic, position));
    return log.read(new ReadRequest(List.of(topic), cursor, 100, Long.MAX_VALUE, newestOnly)).await(10, TimeUnit.SECONDS);
  }

  private static List<Long> ids(ReadResult result) {
    return result.events().stream().map(Event::id).toList();
  }
}
