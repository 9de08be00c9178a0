package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code conflate=MS}: a subscriber that wants each topic's newest value, not every event, gets
 * the newest at most once per window on a push transport and the newest alone in each poll
 * answer, on every transport and in both formats; a cursor behind brings the newest alone, with
 * no reset; ids skip, and the cursor never passes an event held back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConflationTest {

  private static final int WINDOW_MILLIS = 400;

  @RegisterExtension
  static final TestGateway GATEWAY = TestGateway.forAllTests(new JsonObject().put("historySize", 100));

  static Stream<Arguments> transportsAndFormats() {
    return Arrays.stream(Transport.values()).flatMap(t -> Stream.of(Arguments.of(t, false), Arguments.of(t, true)));
  }

  private static StreamClient client(Transport transport, boolean compact) {
    StreamClient client = StreamClient.create(transport, GATEWAY.vertx, GATEWAY.port());
    return (compact ? client.compact(false) : client).query("conflate=" + WINDOW_MILLIS);
  }

  /** Publishes events {@code from..to} (their {@code n}) in one batch: one request, stored before the next. */
  private static void publishBurst(String topic, int from, int to) throws Exception {
    JsonArray events = new JsonArray();
    IntStream.rangeClosed(from, to).forEach(n -> events.add(new JsonObject().put("topic", topic)
      .put("data", new JsonObject().put("n", n))));
    TestGateway.Reply reply = GATEWAY.request(HttpMethod.POST, "/api/events",
      Buffer.buffer(new JsonObject().put("events", events).encode()), "application/json");
    assertThat(reply.status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void aBurstArrivesAsItsNewestEventAndTheNextBurstAWindowLater(Transport transport, boolean compact) throws Exception {
    String topic = "burst-" + transport.label() + (compact ? "-compact" : "");
    StreamClient client = client(transport, compact).open(topic);
    try {
      publishBurst(topic, 1, 10);
      awaitId(client, topic, 10);
      long tenArrived = System.nanoTime();
      publishBurst(topic, 11, 20);
      awaitId(client, topic, 20);
      long twentyArrived = System.nanoTime();

      List<Long> ids = client.ids(topic);
      assertThat(ids).as("in order, skipping, each burst's newest last").isSorted().doesNotHaveDuplicates()
        .contains(10L, 20L).endsWith(20L);
      assertThat(client.events()).allSatisfy(e -> assertThat(e.getJsonObject("data").getLong("n"))
        .as("the data of the id it came with").isEqualTo(e.getLong("id")));
      assertThat(client.resets()).isEmpty();
      assertThat(client.cursor()).startsWith(topic + ":20:");
      if (transport == Transport.WS || transport == Transport.SSE) {
        // the first event of a quiet topic goes at once, the rest of its window's at the end
        assertThat(ids).as("pushed").containsExactly(1L, 10L, 20L);
        assertThat(TimeUnit.NANOSECONDS.toMillis(twentyArrived - tenArrived))
          .as("the second burst's newest waits out the window that 10 began").isGreaterThan(WINDOW_MILLIS / 2);
      } else {
        // a poll's answer is the newest at its time: a long poll woken by the first of a burst takes
        // it alone, and a read while the burst is still being appended its newest so far; how many
        // answers that makes depends on timing, but fewer than every event
        assertThat(ids).as("polled").hasSizeLessThan(20);
      }
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void aCursorBehindBringsTheNewestAloneWithoutAReset(Transport transport, boolean compact) throws Exception {
    String topic = "behind-" + transport.label() + (compact ? "-compact" : "");
    publishBurst(topic, 1, 30);
    StreamClient client = client(transport, compact).open(topic, topic + ":3");
    try {
      awaitId(client, topic, 30);
      assertThat(client.ids(topic)).containsExactly(30L);
      assertThat(client.resets()).isEmpty();
    } finally {
      client.close();
    }
  }

  /** {@code conflate=prices:MS}: that topic conflated, the subscription's others whole, on every transport. */
  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void aWindowForOneTopicLeavesTheOthersWhole(Transport transport, boolean compact) throws Exception {
    String fills = "fills-" + transport.label() + (compact ? "-compact" : "");
    String prices = "prices-" + transport.label() + (compact ? "-compact" : "");
    publishBurst(fills, 1, 10);
    publishBurst(prices, 1, 10);
    StreamClient client = StreamClient.create(transport, GATEWAY.vertx, GATEWAY.port());
    client = (compact ? client.compact(false) : client).query("conflate=" + prices + ":" + WINDOW_MILLIS);
    client.open(fills + "," + prices, fills + ":0," + prices + ":0");
    try {
      awaitId(client, fills, 10);
      awaitId(client, prices, 10);
      assertThat(client.ids(fills)).containsExactly(LongStream.rangeClosed(1, 10).boxed().toArray(Long[]::new));
      assertThat(client.ids(prices)).containsExactly(10L);
    } finally {
      client.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anotherHistoryIsStillAReset(Transport transport) throws Exception {
    String topic = "epoch-" + transport.label();
    publishBurst(topic, 1, 5);
    StreamClient client = client(transport, false).open(topic, topic + ":2:oldepoch");
    try {
      client.awaitResets(1);
      awaitId(client, topic, 5);
      assertThat(client.ids(topic)).containsExactly(5L);
    } finally {
      client.close();
    }
  }

  /**
   * On a WebSocket each {@code subscribe} op may name its topic's window: prices conflated beside
   * fills taken whole on one connection, and a connection that conflates by its URL taking one topic
   * whole ({@code "conflate":0}). A window that is not one is an error frame; the connection serves on.
   */
  @Test
  void aWebSocketSubscriptionNamesItsOwnWindow() throws Exception {
    WsClient plain = new WsClient(GATEWAY.vertx, GATEWAY.port());
    plain.open("op-fills");
    WsClient conflating = new WsClient(GATEWAY.vertx, GATEWAY.port());
    conflating.query("conflate=" + WINDOW_MILLIS).open("op-quotes");
    try {
      plain.send(new JsonObject().put("op", "subscribe").put("topic", "op-prices").put("conflate", WINDOW_MILLIS)
        .put("ref", "s1"));
      conflating.send(new JsonObject().put("op", "subscribe").put("topic", "op-orders").put("conflate", 0)
        .put("ref", "s2"));
      for (String bad : List.of("-1", "\"1000\"", "1.5", "600001", "true")) {
        plain.socket().writeTextMessage("{\"op\":\"subscribe\",\"topic\":\"op-bad\",\"conflate\":" + bad
          + ",\"ref\":\"bad\"}").await();
      }
      Eventually.check(GATEWAY.vertx, () -> {
        assertThat(plain.controls()).filteredOn(c -> "subscribed".equals(c.getString("op"))).hasSize(2);
        assertThat(conflating.controls()).filteredOn(c -> "subscribed".equals(c.getString("op"))).hasSize(2);
        assertThat(plain.controls()).filteredOn(c -> "error".equals(c.getString("op"))).hasSize(5)
          .allSatisfy(e -> assertThat(e.getString("code")).isEqualTo("invalid_parameter"));
      });
      for (String topic : List.of("op-fills", "op-prices", "op-quotes", "op-orders")) {
        publishBurst(topic, 1, 10);
      }
      awaitId(plain, "op-prices", 10);
      awaitId(plain, "op-fills", 10);
      awaitId(conflating, "op-quotes", 10);
      awaitId(conflating, "op-orders", 10);
      assertThat(plain.ids("op-fills")).as("taken whole").containsExactly(LongStream.rangeClosed(1, 10).boxed()
        .toArray(Long[]::new));
      assertThat(plain.ids("op-prices")).as("conflated by its op").containsExactly(1L, 10L);
      assertThat(conflating.ids("op-quotes")).as("conflated by the URL").containsExactly(1L, 10L);
      assertThat(conflating.ids("op-orders")).as("taken whole by its op").containsExactly(LongStream.rangeClosed(1, 10)
        .boxed().toArray(Long[]::new));
      assertThat(plain.ids("op-bad")).isEmpty();
    } finally {
      plain.close();
      conflating.close();
    }
  }

  @Test
  void aConflateThatIsNotAWindowIsRefused() throws Exception {
    for (String value : List.of("-1", "abc", "600001", "1.5", "u:100", "t:", "t:100,1,t:2", "t:-5")) {
      for (String path : List.of("/sse", "/poll", "/poll/long", "/ws")) {
        TestGateway.Reply reply = GATEWAY.get(path + "?topics=t&cursor=t:0&conflate=" + value);
        assertThat(reply.status()).as(path + " conflate=" + value).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
        assertThat(reply.body()).contains("conflate");
      }
    }
  }

  private static void awaitId(StreamClient client, String topic, long id) throws Exception {
    List<Long> seen = new ArrayList<>();
    for (int count = 1; count <= 30; count++) {
      client.awaitEvents(count);
      seen = client.ids(topic);
      if (seen.contains(id)) {
        return;
      }
    }
    throw new AssertionError("no event " + id + " in " + seen);
  }
}
