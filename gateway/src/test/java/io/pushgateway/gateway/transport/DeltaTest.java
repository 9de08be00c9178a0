package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code delta=merge}: a subscriber holding a topic's previous event gets the next one's data as a
 * JSON Merge Patch from it, on every transport and in both formats, and reads back exactly the data
 * published; whatever a patch cannot carry, and the first event of every connection, comes whole.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeltaTest {

  @RegisterExtension
  static final TestGateway GATEWAY = TestGateway.forAllTests(new JsonObject().put("historySize", 100));

  static Stream<Arguments> transportsAndFormats() {
    return Arrays.stream(Transport.values()).flatMap(t -> Stream.of(Arguments.of(t, false), Arguments.of(t, true)));
  }

  private static StreamClient client(Transport transport, boolean compact) {
    StreamClient client = StreamClient.create(transport, GATEWAY.vertx, GATEWAY.port()).deltas();
    return compact ? client.compact(false) : client;
  }

  /** A quote: most of it the same from one event to the next. */
  private static JsonObject quote(int n) {
    return new JsonObject().put("sym", "ACME").put("name", "Acme Corporation, common stock")
      .put("venue", new JsonObject().put("mic", "XNAS").put("open", true)).put("bid", 100 + n).put("ask", 101 + n)
      .put("seq", n);
  }

  /** Publishes {@code data} to {@code topic} in one batch: one request, stored in order. */
  private static void publishAll(String topic, List<?> data) throws Exception {
    JsonArray events = new JsonArray();
    data.forEach(d -> events.add(new JsonObject().put("topic", topic).put("data", d)));
    TestGateway.Reply reply = GATEWAY.request(HttpMethod.POST, "/api/events",
      Buffer.buffer(new JsonObject().put("events", events).encode()), "application/json");
    assertThat(reply.status()).isEqualTo(200);
  }

  private static List<JsonObject> quotes(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(DeltaTest::quote).toList();
  }

  private static void assertReadBack(List<JsonObject> events, String topic, int from, int to) {
    assertThat(events).filteredOn(e -> topic.equals(e.getString("topic")))
      .extracting(e -> e.getLong("id")).containsExactly(IntStream.rangeClosed(from, to).asLongStream().boxed()
        .toArray(Long[]::new));
    assertThat(events).filteredOn(e -> topic.equals(e.getString("topic")))
      .allSatisfy(e -> assertThat(e.getValue("data")).as("event %s", e.getLong("id"))
        .isEqualTo(quote(e.getInteger("id"))));
  }

  private static boolean viaPatch(JsonObject event) {
    return event.getBoolean("viaPatch", false);
  }

  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void afterTheFirstEventEachComesAsAPatchAndReadsBackToItsData(Transport transport, boolean compact)
    throws Exception {
    String topic = "quotes-" + transport.label() + (compact ? "-compact" : "");
    publishAll(topic, quotes(1, 5));
    StreamClient client = client(transport, compact).open(topic, topic + ":0");
    try {
      client.awaitEvents(5);
      publishAll(topic, quotes(6, 8));
      List<JsonObject> events = client.awaitEvents(8);
      assertReadBack(events, topic, 1, 8);
      assertThat(viaPatch(events.get(0))).as("the first event comes whole").isFalse();
      // from history and live, streamed or polled (a poll holds the data at its cursor): patches
      assertThat(events.subList(1, 8)).allSatisfy(e -> assertThat(viaPatch(e)).isTrue());
      assertThat(client.resets()).isEmpty();
    } finally {
      client.close();
    }
  }

  /** Two topics: on SSE the compact format's array instead of bare data; each topic its own base. */
  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void eachTopicIsPatchedFromItsOwnPreviousEvent(Transport transport, boolean compact) throws Exception {
    String a = "two-a-" + transport.label() + (compact ? "-compact" : "");
    String b = "two-b-" + transport.label() + (compact ? "-compact" : "");
    publishAll(a, quotes(1, 3));
    publishAll(b, quotes(1, 3));
    StreamClient client = client(transport, compact).open(a + "," + b, a + ":0," + b + ":0");
    try {
      List<JsonObject> events = client.awaitEvents(6);
      assertReadBack(events, a, 1, 3);
      assertReadBack(events, b, 1, 3);
      assertThat(events).filteredOn(DeltaTest::viaPatch).hasSize(4);
    } finally {
      client.close();
    }
  }

  /**
   * A poll asking for deltas says it holds the data at its cursor: the event right after comes as
   * a patch, whether the poll is answered from history or woken by the event; without the
   * parameter, or after a reset, whole.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/poll", "/poll/long"})
  void aPollAtTheEventBeforeGetsAPatch(String path) throws Exception {
    String topic = "raw" + path.replace('/', '-');
    publishAll(topic, quotes(1, 3));
    String epoch = GATEWAY.request(HttpMethod.GET, "/poll?topics=" + topic + "&cursor=" + topic + ":0", null, null)
      .json().getString("cursor").split(":")[2];
    String query = path + "?topics=" + topic + "&cursor=" + topic + ":2:" + epoch;
    JsonObject patched = GATEWAY.request(HttpMethod.GET, query + "&delta=merge", null, null).json();
    assertThat(patched.getJsonArray("events").getJsonObject(0).encode())
      .matches("\\{\"topic\":\"" + topic + "\",\"id\":3,\"ts\":\\d+,\"patch\":\\{\"bid\":103,\"ask\":104,\"seq\":3}}");
    JsonObject whole = GATEWAY.request(HttpMethod.GET, query, null, null).json();
    assertThat(whole.getJsonArray("events").getJsonObject(0).getJsonObject("data")).isEqualTo(quote(3));
    // a cursor of another history is reset: nothing held to patch from
    JsonObject reset = GATEWAY.request(HttpMethod.GET, path + "?topics=" + topic + "&cursor=" + topic + ":0:other"
      + "&delta=merge", null, null).json();
    assertThat(reset.getJsonArray("resets")).hasSize(1);
    assertThat(reset.getJsonArray("events").getJsonObject(0).containsKey("data")).isTrue();

    if (path.equals("/poll/long")) {
      // woken by the event: the live answer
      var waiting = GATEWAY.requestAsync(HttpMethod.GET, path + "?topics=" + topic + "&cursor=" + topic + ":3:" + epoch
        + "&delta=merge&timeout=20", null, null);
      Eventually.check(GATEWAY.vertx, () -> assertThat(GATEWAY.scrape().value("pushgateway_connections", "transport", "long"))
        .as("the poll waits").isPositive());
      publishAll(topic, quotes(4, 4));
      TestGateway.Reply live = waiting.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(live.json().getJsonArray("events").getJsonObject(0).getJsonObject("patch"))
        .isEqualTo(new JsonObject().put("bid", 104).put("ask", 105).put("seq", 4));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"WS", "SSE"})
  void aNewConnectionStartsWholeFromItsCursor(Transport transport) throws Exception {
    String topic = "resume-" + transport.label();
    publishAll(topic, quotes(1, 4));
    StreamClient first = client(transport, false).open(topic, topic + ":0");
    first.awaitEvents(4);
    String cursor = first.cursor();
    first.close();
    publishAll(topic, quotes(5, 7));
    StreamClient second = client(transport, false).open(topic, cursor);
    try {
      List<JsonObject> events = second.awaitEvents(3);
      assertReadBack(events, topic, 5, 7);
      assertThat(events).extracting(DeltaTest::viaPatch).containsExactly(false, true, true);
    } finally {
      second.close();
    }
  }

  @ParameterizedTest(name = "{0}, compact {1}")
  @MethodSource("transportsAndFormats")
  void whatAPatchCannotCarryComesWhole(Transport transport, boolean compact) throws Exception {
    String topic = "whole-" + transport.label() + (compact ? "-compact" : "");
    String pad = "a member long enough for a patch to pay, whatever else changes";
    List<Object> data = List.of(
      new JsonObject().put("a", 1).put("pad", pad),
      new JsonObject().put("a", 2).put("pad", pad),              // patch
      new JsonObject().put("a", (Object) null).put("pad", pad),  // null has no patch: whole
      new JsonObject().put("a", 3).put("pad", pad),              // patch from the one with null
      new JsonArray().add(pad).add(1),                           // not an object: whole
      new JsonArray().add(pad).add(2),                           // whole
      new JsonObject().put("a", 4).put("pad", pad),              // whole: its base is an array
      new JsonObject().put("a", 5).put("pad", pad).put("b", 6)); // patch
    publishAll(topic, data);
    StreamClient client = client(transport, compact).open(topic, topic + ":0");
    try {
      List<JsonObject> events = client.awaitEvents(data.size());
      assertThat(events).extracting(e -> e.getValue("data")).containsExactlyElementsOf(data);
      assertThat(events).extracting(DeltaTest::viaPatch)
        .containsExactly(false, true, false, true, false, false, false, true);
    } finally {
      client.close();
    }
  }

  /** A client may drop a topic's data when it unsubscribes: subscribed again, the topic starts whole. */
  @Test
  void aTopicSubscribedAgainOnAWebSocketStartsWhole() throws Exception {
    String topic = "again";
    WsClient client = (WsClient) StreamClient.create(Transport.WS, GATEWAY.vertx, GATEWAY.port()).deltas().open(topic);
    try {
      publishAll(topic, quotes(1, 2));
      client.awaitEvents(2);
      client.send(new JsonObject().put("op", "unsubscribe").put("topic", topic).put("ref", "u1"));
      Eventually.check(GATEWAY.vertx, () -> assertThat(client.controls()).anyMatch(c -> "u1".equals(c.getString("ref"))));
      client.send(new JsonObject().put("op", "subscribe").put("topic", topic).put("after", 2));
      publishAll(topic, quotes(3, 4));
      List<JsonObject> events = client.awaitEvents(4);
      assertReadBack(events, topic, 1, 4);
      assertThat(events).extracting(DeltaTest::viaPatch).containsExactly(false, true, false, true);
    } finally {
      client.close();
    }
  }

  @Test
  void aBinaryEventIsNeverPatchedNorPatchedFrom() throws Exception {
    String topic = "binary-between";
    WsClient client = (WsClient) StreamClient.create(Transport.WS, GATEWAY.vertx, GATEWAY.port()).deltas()
      .query("binary=1").open(topic);
    try {
      GATEWAY.publish(topic, quote(1));
      GATEWAY.publish(topic, quote(2));
      TestGateway.Reply bytes = GATEWAY.request(HttpMethod.POST, "/api/topics/" + topic + "/events",
        Buffer.buffer(new byte[] {1, 2, 3}), "application/octet-stream");
      assertThat(bytes.status()).isEqualTo(201);
      GATEWAY.publish(topic, quote(4));
      GATEWAY.publish(topic, quote(5));
      List<JsonObject> events = client.awaitEvents(5);
      assertThat(events).extracting(DeltaTest::viaPatch).containsExactly(false, true, false, false, true);
      assertThat(client.binaries()).hasSize(1);
    } finally {
      client.close();
    }
  }

  @Test
  void aSubscriberWithoutDeltasNeverSeesAPatch() throws Exception {
    String topic = "plain";
    publishAll(topic, quotes(1, 3));
    WsClient plain = (WsClient) StreamClient.create(Transport.WS, GATEWAY.vertx, GATEWAY.port()).open(topic, topic + ":0");
    try {
      assertThat(plain.awaitEvents(3)).allSatisfy(e -> assertThat(e.fieldNames()).doesNotContain("patch", "viaPatch"));
      assertReadBack(plain.events(), topic, 1, 3);
    } finally {
      plain.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ws", "/sse", "/poll", "/poll/long"})
  void anUnknownDeltaIsRefused(String path) throws Exception {
    for (String delta : List.of("fossil", "", "MERGE", "merge,merge")) {
      TestGateway.Reply reply = GATEWAY.request(HttpMethod.GET, path + "?topics=t&delta=" + delta, null, null);
      assertThat(reply.status()).as("delta=%s", delta).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    }
  }
}
