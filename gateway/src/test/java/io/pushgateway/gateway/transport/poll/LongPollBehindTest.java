package io.pushgateway.gateway.transport.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A long poll that comes back one event behind, after that event answered the polls waiting for
 * it: it is answered from the event at hand, with exactly what a read of the log gives (a short
 * poll with the same cursor), in either format and over several topics. One event loop, so the
 * waiting polls and the late one share it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LongPollBehindTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("instances", 1));

  @ParameterizedTest
  @ValueSource(strings = {"", "&format=compact"})
  void aPollOneEventBehindGetsThatEventAsAReadGivesIt(String format) throws Exception {
    String topic = "behind-one" + format.length();
    String before = cursorAfterOneEvent(topic);
    String waiting = publishWhileAPollWaits(topic, topic, before, format);

    String late = gateway.get("/poll/long?topics=" + topic + format + "&timeout=30&cursor=" + before).body();
    assertThat(late).isEqualTo(waiting)
      .isEqualTo(gateway.get("/poll?topics=" + topic + format + "&cursor=" + before).body());
    assertThat(new JsonObject(late).getJsonArray("events")).hasSize(1);
  }

  @Test
  void overSeveralTopicsTheOthersAtTheirHead() throws Exception {
    gateway.publish("behind-b", 1);
    String topics = "behind-a,behind-b";
    gateway.publish("behind-a", 1);
    String before = gateway.get("/poll?topics=" + topics).json().getString("cursor");
    publishWhileAPollWaits(topics, "behind-a", before, "");

    String late = gateway.get("/poll/long?topics=" + topics + "&timeout=30&cursor=" + before).body();
    assertThat(new JsonObject(late).getJsonArray("events")).extracting(e -> ((JsonObject) e).getString("topic")
      + ":" + ((JsonObject) e).getLong("id")).containsExactly("behind-a:2");
    assertThat(late).isEqualTo(gateway.get("/poll?topics=" + topics + "&cursor=" + before).body());
  }

  @Test
  void twoEventsBehindGetsBoth() throws Exception {
    String topic = "behind-two";
    String before = cursorAfterOneEvent(topic);
    gateway.publish(topic, 2);
    String oneBehind = gateway.get("/poll?topics=" + topic).json().getString("cursor");
    publishWhileAPollWaits(topic, topic, oneBehind, "");

    JsonObject late = gateway.get("/poll/long?topics=" + topic + "&timeout=30&cursor=" + before).json();
    assertThat(late.getJsonArray("events")).extracting(e -> ((JsonObject) e).getLong("id")).containsExactly(2L, 3L);
  }

  /** Aged out by every topic's bound, or by the bound of the history rule its topic matches. */
  @ParameterizedTest
  @ValueSource(strings = {"historyMaxAgeSeconds=1", "historyRules=behind-*=1000/1"})
  void notOnceTheEventAgedOutOfHistory(String ageBound) throws Exception {
    String[] option = ageBound.split("=", 2);
    try (TestGateway aging = TestGateway.start(new JsonObject().put("instances", 1).put(option[0], option[1]))) {
      String topic = "behind-aged";
      aging.publish(topic, 1);
      String before = aging.get("/poll?topics=" + topic).json().getString("cursor");
      Future<TestGateway.Reply> waiting = aging.getAsync("/poll/long?topics=" + topic + "&timeout=30&cursor=" + before);
      aging.awaitSubscribers(topic, "long", 1);
      aging.publish(topic, 2);
      assertThat(waiting.await(10, TimeUnit.SECONDS).json().getJsonArray("events")).hasSize(1);
      Eventually.check(aging.vertx, () -> assertThat(aging.get("/poll?topics=" + topic + "&cursor=" + before).json()
        .getJsonArray("events")).as("event 2 aged out").isEmpty());

      JsonObject late = aging.get("/poll/long?topics=" + topic + "&timeout=1&cursor=" + before).json();
      JsonObject read = aging.get("/poll?topics=" + topic + "&cursor=" + before).json();
      assertThat(late.getJsonArray("events")).isEmpty();
      assertThat(late.getJsonArray("resets")).isEqualTo(read.getJsonArray("resets"));
      assertThat(late.getString("cursor")).isEqualTo(read.getString("cursor"));
    }
  }

  /** The cursor after the topic's first event. */
  private static String cursorAfterOneEvent(String topic) throws Exception {
    gateway.publish(topic, 1);
    return gateway.get("/poll?topics=" + topic).json().getString("cursor");
  }

  /**
   * Publishes to {@code published} while a long poll of {@code topics} waits at {@code cursor},
   * and returns the body that answered it.
   */
  private static String publishWhileAPollWaits(String topics, String published, String cursor, String query)
    throws Exception {
    Future<TestGateway.Reply> waiting = gateway.getAsync("/poll/long?topics=" + topics + query + "&timeout=30&cursor="
      + cursor);
    gateway.awaitSubscribers(published, "long", 1);
    gateway.publish(published, new JsonObject().put("n", "next"));
    String body = waiting.await(10, TimeUnit.SECONDS).body();
    gateway.awaitSubscribers(published, "long", 0);
    return body;
  }
}
