package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topics are bounded, over the real wire: {@code maxTopics} refuses a new topic with 503
 * {@code too_many_topics} (HTTP and WebSocket) and stores nothing; an idle topic is evicted and
 * a cursor from its old life gets a reset; subscriber counts leave nothing behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopicLimitsTest {

  private TestGateway gateway;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    gateway.close();
  }

  @Test
  void aPublishToOneTopicTooManyIsRefusedOverHttpAndWebSocket() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxTopics", 3));
    for (String topic : List.of("t1", "t2", "t3")) {
      gateway.publish(topic, 1);
    }
    TestGateway.Reply refused = gateway.request(HttpMethod.POST, "/api/topics/t4/events", Buffer.buffer("1"),
      "application/json");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("too_many_topics");
    assertThat(refused.json().getJsonObject("error").getString("message")).contains("evicted");

    WsClient ws = track(new WsClient(gateway.vertx, gateway.port()).open("t1"));
    ws.send(new JsonObject().put("op", "publish").put("topic", "t5").put("data", 1).put("ref", "new"));
    ws.send(new JsonObject().put("op", "publish").put("topic", "t1").put("data", 2).put("ref", "old"));
    Eventually.check(gateway.vertx, () -> assertThat(ws.controls()).anySatisfy(c -> {
      assertThat(c.getString("op")).isEqualTo("ack");
      assertThat(c.getString("ref")).isEqualTo("old");
    }));
    assertThat(ws.controls()).anySatisfy(c -> {
      assertThat(c.getString("op")).isEqualTo("error");
      assertThat(c.getString("code")).isEqualTo("too_many_topics");
      assertThat(c.getString("ref")).isEqualTo("new");
    });
    assertThat(ws.closeCode()).isNull();

    // nothing stored for the refused ones; existing topics keep accepting
    assertThat(gateway.get("/api/topics").json().getJsonArray("topics").getList()).containsExactly("t1", "t2", "t3");
    assertThat(gateway.get("/api/topics/t4").status()).isEqualTo(404);
    assertThat(gateway.publish("t2", 2).getLong("id")).isEqualTo(2);
    assertThat(ws.awaitEvents(1).get(0).getLong("id")).isEqualTo(2);
  }

  @Test
  void theTopicListingComesInPagesInNameOrder() throws Exception {
    gateway = TestGateway.start();
    List<String> names = new ArrayList<>(IntStream.range(0, 2_500).mapToObj(i -> "list-%04d".formatted(i)).toList());
    IntStream.range(0, 10).mapToObj(i -> "other-" + i).forEach(names::add);
    for (int from = 0; from < names.size(); from += 1_000) {
      JsonArray events = new JsonArray();
      names.subList(from, Math.min(from + 1_000, names.size())).forEach(t -> events.add(new JsonObject().put("topic", t).put("data", 1)));
      assertThat(gateway.request(HttpMethod.POST, "/api/events", Buffer.buffer(new JsonObject().put("events", events).encode()),
        "application/json").status()).isEqualTo(200);
    }
    // a subscriber alone starts no listed topic
    assertThat(gateway.get("/poll?topics=list-unpublished&cursor=list-unpublished:0").status()).isEqualTo(200);

    List<String> listed = new ArrayList<>();
    List<Integer> pages = new ArrayList<>();
    String next = null;
    do {
      JsonObject page = gateway.get("/api/topics" + (next == null ? "" : "?after=" + next)).json();
      pages.add(page.getJsonArray("topics").size());
      page.getJsonArray("topics").forEach(t -> listed.add((String) t));
      next = page.getString("next");
    } while (next != null && pages.size() < 10);
    assertThat(pages).containsExactly(1_000, 1_000, 510);
    assertThat(listed).isEqualTo(names);

    assertThat(gateway.get("/api/topics?prefix=other-").json().getJsonArray("topics").getList())
      .isEqualTo(names.subList(2_500, 2_510));
    JsonObject three = gateway.get("/api/topics?prefix=list-&after=list-0005&limit=3").json();
    assertThat(three.getJsonArray("topics").getList()).containsExactly("list-0006", "list-0007", "list-0008");
    assertThat(three.getString("next")).isEqualTo("list-0008");
    // an after= before or past the prefix's names: all of them, or none
    assertThat(gateway.get("/api/topics?prefix=other-&after=a").json().getJsonArray("topics").getList())
      .isEqualTo(names.subList(2_500, 2_510));
    assertThat(gateway.get("/api/topics?prefix=list-&after=list-2495").json().getJsonArray("topics").getList())
      .as("no name past the prefix's").containsExactly("list-2496", "list-2497", "list-2498", "list-2499");
    JsonObject past = gateway.get("/api/topics?prefix=list-&after=zzz").json();
    assertThat(past.getJsonArray("topics")).isEmpty();
    assertThat(past.getString("next")).isNull();
    for (String limit : List.of("0", "10001", "x")) {
      assertThat(gateway.get("/api/topics?limit=" + limit).errorCode()).isEqualTo("invalid_parameter");
    }
  }

  @Test
  void pollsForMadeUpTopicsCannotFillTheStoreAgainstPublishers() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxTopics", 50));
    WsClient held = track(new WsClient(gateway.vertx, gateway.port()).open("held"));
    gateway.publish("real", 1);
    // each poll of a topic nobody published to starts it (so its poller learns the epoch to come)
    List<String> pollers = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      JsonObject answer = gateway.get("/poll?topics=made" + i + "&cursor=made" + i + ":0").json();
      pollers.add(answer.getString("cursor"));
    }
    assertThat(gateway.gateway.log().topicCount()).isEqualTo(50);

    // a publisher's new topics take the place of the oldest unpublished ones nobody follows
    for (int i = 0; i < 10; i++) {
      assertThat(gateway.request(HttpMethod.POST, "/api/topics/fresh" + i + "/events", Buffer.buffer("1"),
        "application/json").status()).as("fresh%d", i).isEqualTo(201);
    }
    assertThat(gateway.gateway.log().topicCount()).isEqualTo(50);
    // the followed one stays, its epoch with it: its subscriber gets the first event, no reset
    gateway.publish("held", "first");
    assertThat(held.awaitEvents(1).get(0).getString("data")).isEqualTo("first");
    assertThat(held.resets()).isEmpty();
    // a dropped one's poller loses nothing: its topic starts again, and its first event comes
    String dropped = pollers.get(0);
    assertThat(gateway.get("/poll?topics=made0&cursor=" + dropped).status()).isEqualTo(200);
    gateway.publish("made0", "late");
    JsonObject answer = gateway.get("/poll?topics=made0&cursor=" + dropped).json();
    assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getString("data")).containsExactly("late");

    // when every topic has had events, a new one is refused as before
    for (int i = 10; i < 100; i++) {
      TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/fresh" + i + "/events", Buffer.buffer("1"),
        "application/json");
      if (reply.status() == 503) {
        assertThat(reply.errorCode()).isEqualTo("too_many_topics");
        return;
      }
    }
    throw new AssertionError("a store full of published topics took one more");
  }

  @Test
  void anEvictedTopicsOldCursorGetsAResetOnAPoll() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("topicIdleSeconds", 1));
    gateway.publishMany("ev", 3);
    String oldEpoch = gateway.get("/api/topics/ev").json().getString("epoch");
    Eventually.check(gateway.vertx, () -> assertThat(gateway.get("/api/topics/ev").status()).isEqualTo(404));
    assertThat(gateway.gateway.log().topicCount()).isZero();

    // the new life reuses ids 1 and 2: a cursor at 1 of the old life must not skip them
    gateway.publishMany("ev", 2);
    JsonObject topic = gateway.get("/api/topics/ev").json();
    assertThat(topic.getString("epoch")).isNotEqualTo(oldEpoch);
    for (String cursor : List.of("ev:1:" + oldEpoch, "ev:3:" + oldEpoch)) {
      JsonObject answer = gateway.get("/poll?topics=ev&cursor=" + cursor).json();
      assertThat(answer.getJsonArray("resets").getList()).containsExactly(
        new JsonObject().put("topic", "ev").put("from", 1).put("epoch", topic.getString("epoch")).getMap());
      assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(1L, 2L);
      assertThat(answer.getString("cursor")).isEqualTo("ev:2:" + topic.getString("epoch"));
    }
  }

  @Test
  void aTopicWithASubscriberIsNotEvicted() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("topicIdleSeconds", 1));
    WsClient subscriber = track(new WsClient(gateway.vertx, gateway.port()).open("kept"));
    gateway.publish("kept", 1);
    gateway.publish("idle", 1);
    String epoch = gateway.get("/api/topics/kept").json().getString("epoch");
    // "kept" was touched before "idle": the sweep that evicted "idle" looked at "kept" first
    Eventually.check(gateway.vertx, () -> assertThat(gateway.get("/api/topics/idle").status()).isEqualTo(404));
    assertThat(gateway.get("/api/topics/kept").json().getString("epoch")).isEqualTo(epoch);
    assertThat(subscriber.awaitEvents(1)).hasSize(1);
    gateway.publish("kept", 2);
    assertThat(subscriber.awaitEvents(2).get(1).getLong("id")).isEqualTo(2);
  }

  @Test
  void subscribingAndUnsubscribingLeavesNothingBehind() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("topicIdleSeconds", 1).put("commandRatePerConnection", 0));
    WsClient ws = track(new WsClient(gateway.vertx, gateway.port()).open("first"));
    for (int i = 0; i < 1000; i++) {
      ws.send(new JsonObject().put("op", "subscribe").put("topic", "n" + i));
      ws.send(new JsonObject().put("op", "unsubscribe").put("topic", "n" + i).put("ref", "u" + i));
    }
    String many = IntStream.range(0, 64).mapToObj(i -> "s" + i).collect(Collectors.joining(","));
    SseClient sse = new SseClient(gateway.vertx, gateway.port()).open(many);
    sse.close();
    Eventually.check(gateway.vertx, () -> assertThat(ws.controls())
      .filteredOn(c -> "u999".equals(c.getString("ref"))).isNotEmpty());
    Eventually.check(gateway.vertx, () -> assertThat(gateway.gateway.subscriberCounts().topics()).isEqualTo(1));
    ws.close();
    Eventually.check(gateway.vertx, () -> assertThat(gateway.gateway.subscriberCounts().topics()).isZero());
    // the empty histories the subscriptions started go once idle
    Eventually.check(gateway.vertx, () -> assertThat(gateway.gateway.log().topicCount()).isZero());
  }

  private <T extends StreamClient> T track(T client) {
    closeables.add(client::close);
    return client;
  }
}
