package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code rewind=N}: a subscription that names no cursor entry for a topic starts with that
 * topic's newest N kept events instead of "now", then goes on live, on every transport and
 * format; a cursor entry wins over it, and every cursor handed out is a real one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RewindTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests(new JsonObject().put("historySize", 20));

  enum Format { JSON, COMPACT, DELTAS }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void theNewestEventsThenLiveOnEveryTransport(Transport transport) throws Exception {
    for (Format format : Format.values()) {
      String topic = "rewind-" + transport.label() + "-" + format.name().toLowerCase();
      publishQuotes(topic, 1, 10);
      StreamClient client = client(transport, format).query("rewind=3").open(topic);
      try {
        client.awaitEvents(3);
        publishQuotes(topic, 11, 11);
        List<JsonObject> events = client.awaitEvents(4);
        assertThat(events).as(format + ": the newest three, then live").extracting(e -> e.getLong("id"))
          .containsExactly(8L, 9L, 10L, 11L);
        assertThat(events).as(format + ": each event's own data")
          .allMatch(e -> e.getJsonObject("data").getLong("n").equals(e.getLong("id")));
        assertThat(client.resets()).as(format + ": a rewind is no reset").isEmpty();
        if (transport == Transport.WS) {
          assertThat(((WsClient) client).controls()).filteredOn(c -> "subscribed".equals(c.getString("op")))
            .extracting(c -> c.getLong("id")).as(format + ": the subscribed frame says where its events start")
            .containsExactly(7L);
        } else {
          assertThat(client.cursor()).as(format + ": the cursor handed out").startsWith(topic + ":11:");
        }
      } finally {
        client.close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aCursorEntryWinsAndATopicTheRewindDoesNotNameStartsNow(Transport transport) throws Exception {
    String resumed = "rewind-resumed-" + transport.label();
    String named = "rewind-named-" + transport.label();
    String other = "rewind-other-" + transport.label();
    publishQuotes(resumed, 1, 6);
    publishQuotes(named, 1, 6);
    publishQuotes(other, 1, 6);
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port())
      .query("rewind=" + named + ":2," + resumed + ":5").open(resumed + "," + named + "," + other, resumed + ":4");
    try {
      client.awaitEvents(4);
      publishQuotes(other, 7, 7);
      client.awaitEvents(5);
      assertThat(client.ids(resumed)).as("after its cursor entry").containsExactly(5L, 6L);
      assertThat(client.ids(named)).as("its newest two").containsExactly(5L, 6L);
      assertThat(client.ids(other)).as("from now").containsExactly(7L);
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void moreThanIsKeptIsAllThatIsKeptAndAnEmptyTopicStartsAtItsFirstEvent(Transport transport) throws Exception {
    String shortTopic = "rewind-short-" + transport.label();
    String trimmed = "rewind-trimmed-" + transport.label();
    String empty = "rewind-empty-" + transport.label();
    publishQuotes(shortTopic, 1, 2);
    publishQuotes(trimmed, 1, 25); // 6..25 kept
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).query("rewind=100")
      .open(shortTopic + "," + trimmed + "," + empty);
    try {
      client.awaitEvents(22);
      publishQuotes(empty, 1, 1);
      client.awaitEvents(23);
      assertThat(client.ids(shortTopic)).containsExactly(1L, 2L);
      assertThat(client.ids(trimmed)).containsExactlyElementsOf(IntStream.rangeClosed(6, 25).mapToObj(i -> (long) i)
        .toList());
      assertThat(client.ids(empty)).containsExactly(1L);
      assertThat(client.resets()).isEmpty();
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aConflatingRewindStartsWithTheNewestEventAlone(Transport transport) throws Exception {
    String topic = "rewind-conflated-" + transport.label();
    publishQuotes(topic, 1, 6);
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port())
      .query("rewind=4&conflate=" + topic + ":1000").open(topic);
    try {
      client.awaitEvents(1);
      publishQuotes(topic, 7, 7);
      client.awaitEvents(2);
      assertThat(client.ids(topic)).containsExactly(6L, 7L);
    } finally {
      client.close();
    }
  }

  @Test
  void aWebSocketSubscribeOpRewindsUnlessItNamesAfter() throws Exception {
    publishQuotes("rewind-op-a", 1, 5);
    publishQuotes("rewind-op-b", 1, 5);
    publishQuotes("rewind-op-c", 1, 5);
    WsClient client = (WsClient) StreamClient.create(Transport.WS, gateway.vertx, gateway.port()).open("rewind-op-a");
    try {
      client.send(new JsonObject().put("op", "subscribe").put("topic", "rewind-op-b").put("rewind", 2));
      client.send(new JsonObject().put("op", "subscribe").put("topic", "rewind-op-c").put("rewind", 2).put("after", 1));
      client.awaitEvents(6);
      assertThat(client.ids("rewind-op-b")).containsExactly(4L, 5L);
      assertThat(client.ids("rewind-op-c")).as("after wins").containsExactly(2L, 3L, 4L, 5L);
      assertThat(client.ids("rewind-op-a")).isEmpty();

      for (Object bad : new Object[] {-1, 1.5, "3", 10_000_001, true}) {
        client.send(new JsonObject().put("op", "subscribe").put("topic", "rewind-op-d").put("rewind", bad)
          .put("ref", "bad-" + bad));
        Eventually.check(gateway.vertx, () -> assertThat(client.controls()).anyMatch(c -> ("bad-" + bad)
          .equals(c.getString("ref")) && "error".equals(c.getString("op"))
          && "invalid_parameter".equals(c.getString("code"))));
      }
      publishQuotes("rewind-op-d", 1, 1);
      publishQuotes("rewind-op-a", 6, 6);
      client.awaitEvents(7);
      assertThat(client.ids("rewind-op-d")).as("no bad subscribe took").isEmpty();
    } finally {
      client.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "x", "1.5", "10000001", "rewind-bad-other:2", "3,4,5", ":2", "rewind-bad:"})
  void aBadRewindIsRefusedOnEveryEndpoint(String rewind) throws Exception {
    for (String endpoint : List.of("/poll", "/poll/long", "/sse", "/ws")) {
      TestGateway.Reply reply = gateway.get(endpoint + "?topics=rewind-bad&rewind=" + rewind);
      assertThat(reply.status()).as(endpoint + " rewind=" + rewind).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    }
  }

  private static StreamClient client(Transport transport, Format format) {
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port());
    return switch (format) {
      case JSON -> client;
      case COMPACT -> client.compact(false);
      case DELTAS -> client.deltas();
    };
  }

  /** Events {@code {"n":from,"pad":…}} to {@code {"n":to,…}}: objects a patch could carry. */
  private static void publishQuotes(String topic, int from, int to) throws Exception {
    for (int n = from; n <= to; n++) {
      gateway.publish(topic, new JsonObject().put("n", n).put("pad", "x".repeat(40)));
    }
  }
}
