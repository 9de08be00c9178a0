package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 6202 long polling, held while nothing is new and answered by the first event or the timeout,
 * and plain AJAX polling, answered at once with whatever is past the cursor.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @Test
  void answersAsSoonAsAnEventIsPublished() throws Exception {
    String topic = "lp-wake";
    gateway.publish(topic, 1);
    String cursor = gateway.get("/poll?topics=" + topic).json().getString("cursor");
    Future<TestGateway.Reply> poll = gateway.getAsync("/poll/long?topics=" + topic + "&timeout=30&cursor=" + cursor);
    gateway.awaitSubscribers(topic, "long", 1);
    assertThat(poll.isComplete()).as("held while nothing is new").isFalse();

    gateway.publish(topic, new JsonObject().put("hello", "world"));
    JsonObject answer = poll.await(10, TimeUnit.SECONDS).json();
    assertThat(answer.getJsonArray("events")).hasSize(1);
    assertThat(answer.getJsonArray("events").getJsonObject(0).getLong("id")).isEqualTo(2);
    assertThat(answer.getString("cursor")).startsWith(topic + ":2:");
    assertThat(answer.getJsonArray("resets")).isEmpty();
    assertThat(answer.getBoolean("more")).isFalse();
    gateway.awaitSubscribers(topic, "long", 0);
  }

  @Test
  void answersAtOnceWhenEventsAreAlreadyPastTheCursor() throws Exception {
    String topic = "lp-ready";
    gateway.publishMany(topic, 3);
    JsonObject answer = gateway.get("/poll/long?topics=" + topic + "&timeout=30&cursor=" + topic + ":1").json();
    assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(2L, 3L);
  }

  @Test
  void answersEmptyAtItsTimeout() throws Exception {
    String topic = "lp-timeout";
    gateway.publish(topic, 1);
    String cursor = gateway.get("/poll?topics=" + topic).json().getString("cursor");
    long start = System.nanoTime();
    TestGateway.Reply reply = gateway.get("/poll/long?topics=" + topic + "&timeout=1&cursor=" + cursor);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getJsonArray("events")).isEmpty();
    assertThat(reply.json().getString("cursor")).isEqualTo(cursor);
    assertThat(reply.json().getBoolean("more")).isFalse();
    assertThat(elapsedMs).as("held for its timeout").isGreaterThanOrEqualTo(900);
    gateway.awaitSubscribers(topic, "long", 0);
  }

  @Test
  void withoutCursorAnswersAtOnceWithTheCurrentCursor() throws Exception {
    String topic = "lp-now";
    gateway.publishMany(topic, 2);
    JsonObject answer = gateway.get("/poll/long?topics=" + topic + "&timeout=30").json();
    assertThat(answer.getJsonArray("events")).isEmpty();
    assertThat(answer.getString("cursor")).startsWith(topic + ":2:");
    assertThat(answer.fieldNames()).containsExactlyInAnyOrder("events", "cursor", "resets", "more");
  }

  @Test
  void limitCapsTheAnswerAndSaysMore() throws Exception {
    String topic = "lp-limit";
    gateway.publishMany(topic, 5);
    JsonObject answer = gateway.get("/poll/long?topics=" + topic + "&limit=2&cursor=" + topic + ":0").json();
    assertThat(answer.getJsonArray("events")).hasSize(2);
    assertThat(answer.getBoolean("more")).isTrue();
    JsonObject shortAnswer = gateway.get("/poll?topics=" + topic + "&limit=3&cursor=" + answer.getString("cursor")).json();
    assertThat(shortAnswer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(3L, 4L, 5L);
    assertThat(shortAnswer.getBoolean("more")).isFalse();
  }

  @Test
  void atTheHeadOfOneTopicButBehindOnAnotherAnswersAtOnce() throws Exception {
    gateway.publishMany("lp-head-a", 2);
    gateway.publishMany("lp-head-b", 2);
    String cursor = gateway.get("/poll?topics=lp-head-a,lp-head-b").json().getString("cursor");
    String behindOnB = cursor.replaceFirst("lp-head-b:2:", "lp-head-b:1:");
    JsonObject answer = gateway.get("/poll/long?topics=lp-head-a,lp-head-b&timeout=30&cursor=" + behindOnB).json();
    assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getString("topic") + ":"
      + ((JsonObject) e).getLong("id")).containsExactly("lp-head-b:2");
  }

  @Test
  void aChainOfPollsFollowingEachAnswerMissesNothingWhileEventsArePublished() throws Exception {
    String topic = "lp-chain";
    gateway.publish(topic, 0);
    String cursor = gateway.get("/poll?topics=" + topic).json().getString("cursor");
    int count = 300;
    CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
      try {
        gateway.publishMany(topic, count);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<Long> ids = new ArrayList<>();
    while (ids.size() < count) {
      JsonObject answer = gateway.get("/poll/long?topics=" + topic + "&timeout=10&cursor=" + cursor).json();
      assertThat(answer.getJsonArray("resets")).isEmpty();
      JsonArray events = answer.getJsonArray("events");
      assertThat(events).as("an empty answer means an event was missed").isNotEmpty();
      events.forEach(e -> ids.add(((JsonObject) e).getLong("id")));
      cursor = answer.getString("cursor");
    }
    publishing.get(30, TimeUnit.SECONDS);
    assertThat(ids).containsExactlyElementsOf(LongStream.rangeClosed(2, count + 1).boxed().toList());
  }

  @Test
  void pollsAnsweredByOneEventEachGetTheirOwnCursor() throws Exception {
    // one HTTP verticle: every poll waits on the same event loop, where one answer body is shared
    TestGateway oneLoop = TestGateway.start(new JsonObject().put("instances", 1));
    try {
      oneLoop.publish("lp-one-a", 1);
      oneLoop.publish("lp-one-b", 1);
      String both = oneLoop.get("/poll?topics=lp-one-a,lp-one-b").json().getString("cursor");
      String aOnly = both.substring(0, both.indexOf(','));
      List<Future<TestGateway.Reply>> single = new ArrayList<>();
      List<Future<TestGateway.Reply>> pair = new ArrayList<>();
      // two of each: with the publish and the subscriber count they fill the client's five connections
      for (int i = 0; i < 2; i++) {
        single.add(oneLoop.getAsync("/poll/long?topics=lp-one-a&timeout=30&cursor=" + aOnly));
        pair.add(oneLoop.getAsync("/poll/long?topics=lp-one-a,lp-one-b&timeout=30&cursor=" + both));
      }
      oneLoop.awaitSubscribers("lp-one-a", "long", 4);

      long id = oneLoop.publish("lp-one-a", 2).getLong("id");
      String aAfter = "lp-one-a:" + id + aOnly.substring(aOnly.lastIndexOf(':'));
      for (Future<TestGateway.Reply> poll : single) {
        JsonObject answer = poll.await(10, TimeUnit.SECONDS).json();
        assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(id);
        assertThat(answer.getString("cursor")).isEqualTo(aAfter);
      }
      for (Future<TestGateway.Reply> poll : pair) {
        JsonObject answer = poll.await(10, TimeUnit.SECONDS).json();
        assertThat(answer.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(id);
        assertThat(answer.getString("cursor")).isEqualTo(aAfter + both.substring(both.indexOf(',')));
      }
    } finally {
      oneLoop.close();
    }
  }

  @Test
  void aShortPollAtTheHeadAnswersNothingNewWithTheCursorOfThePolledTopicsOnly() throws Exception {
    gateway.publishMany("sp-a", 2);
    gateway.publishMany("sp-b", 3);
    String cursor = gateway.get("/poll?topics=sp-b,sp-a").json().getString("cursor");
    assertThat(cursor).matches("sp-b:3:\\w+,sp-a:2:\\w+");

    JsonObject nothingNew = gateway.get("/poll?topics=sp-a,sp-b&cursor=other:7," + cursor).json();
    assertThat(nothingNew.getJsonArray("events")).isEmpty();
    assertThat(nothingNew.getJsonArray("resets")).isEmpty();
    assertThat(nothingNew.getBoolean("more")).isFalse();
    String a = cursor.substring(cursor.indexOf(",") + 1);
    String b = cursor.substring(0, cursor.indexOf(","));
    assertThat(nothingNew.getString("cursor")).isEqualTo(a + "," + b);

    gateway.publish("sp-a", 3);
    JsonObject next = gateway.get("/poll?topics=sp-a,sp-b&cursor=" + nothingNew.getString("cursor")).json();
    assertThat(next.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(3L);
    assertThat(next.getString("cursor")).startsWith("sp-a:3:").endsWith("," + b);
  }
}
