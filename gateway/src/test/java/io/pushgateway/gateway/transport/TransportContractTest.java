package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every transport keeps, checked over the real wire: the same events in id order,
 * resume from a cursor with nothing lost or repeated, an explicit reset past history, and
 * presence beside the events without taking an id; on both write paths ({@code writePath}: the raw channel and Vert.x's public API).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportContractTest {

  private static final int HISTORY = 5;
  /** One gateway per write path: the raw channel and Vert.x's public API keep the same contract. */
  private static final Map<String, TestGateway> GATEWAYS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    for (String path : List.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX)) {
      GATEWAYS.put(path, TestGateway.start(new JsonObject().put("historySize", HISTORY).put("writePath", path)
        .put("presenceNames", true).put("presenceGraceSeconds", 1)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway gateway : GATEWAYS.values()) {
      gateway.close();
    }
  }

  /** Every transport on every write path, in both formats. */
  static Stream<Arguments> paths() {
    return Stream.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX)
      .flatMap(path -> Arrays.stream(Transport.values())
        .flatMap(t -> Stream.of(JSON, COMPACT).map(format -> Arguments.of(path, t, format))));
  }

  private static final String JSON = "json";
  /** {@code format=compact}: the same contract, read back through {@code CompactReader}. */
  private static final String COMPACT = "compact";

  private static StreamClient client(TestGateway gateway, Transport transport, String format) {
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port());
    return format.equals(COMPACT) ? client.compact(false) : client;
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void deliversPublishedEventsInOrder(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "deliver-" + transport.label() + "-" + format;
    StreamClient client = client(gateway, transport, format).open(topic);
    try {
      for (int i = 1; i <= 5; i++) {
        gateway.publish(topic, new JsonObject().put("n", i).put("text", "héllo\nworld"));
      }
      List<JsonObject> events = client.awaitEvents(5);
      assertThat(events).extracting(e -> e.getLong("id")).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(events).extracting(e -> e.getJsonObject("data").getInteger("n")).containsExactly(1, 2, 3, 4, 5);
      assertThat(events.get(0).getJsonObject("data").getString("text")).isEqualTo("héllo\nworld");
      assertThat(events).allSatisfy(e -> {
        assertThat(e.getString("topic")).isEqualTo(topic);
        if (format.equals(JSON)) {
          assertThat(e.getLong("ts")).isPositive(); // the compact format sends it on request only
        }
      });
      assertThat(client.resets()).isEmpty();
      assertThat(client.cursor()).startsWith(topic + ":5:");
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void resumesFromCursorWithoutLossOrRepeat(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "resume-" + transport.label() + "-" + format;
    gateway.publishMany(topic, 3);
    StreamClient first = client(gateway, transport, format).open(topic, topic + ":0");
    first.awaitEvents(3);
    String cursor = first.wireCursor(); // in the compact format, the compact spelling
    first.close();

    gateway.publishMany(topic, 2); // ids 4 and 5, published while nobody listens
    StreamClient second = client(gateway, transport, format).open(topic, cursor);
    try {
      gateway.publish(topic, new JsonObject().put("n", 6));
      second.awaitEvents(3);
      assertThat(first.ids(topic)).containsExactly(1L, 2L, 3L);
      assertThat(second.ids(topic)).containsExactly(4L, 5L, 6L);
      assertThat(second.resets()).isEmpty();
    } finally {
      second.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void resumesSeveralTopicsFromOneCursor(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String a = "multi-a-" + transport.label() + "-" + format;
    String b = "multi-b-" + transport.label() + "-" + format;
    gateway.publishMany(a, 3);
    gateway.publishMany(b, 2);
    StreamClient client = client(gateway, transport, format)
      .open(a + "," + b, a + ":1," + b + ":1");
    try {
      client.awaitEvents(3);
      assertThat(client.ids(a)).containsExactly(2L, 3L);
      assertThat(client.ids(b)).containsExactly(2L);
      assertThat(client.cursor()).contains(a + ":3:").contains(b + ":2:");
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void theCursorNamesATopicThatStartedAtNowFromTheFirstEvent(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String a = "named-" + transport.label() + "-" + format;
    String b = "unnamed-" + transport.label() + "-" + format;
    gateway.publishMany(a, 2);
    gateway.publishMany(b, 1);
    // b is not in the cursor, so it starts at "now" (id 1); the events of a come from history.
    StreamClient client = client(gateway, transport, format).open(a + "," + b, a + ":0");
    try {
      client.awaitEvents(2);
      // A client that resumes with this cursor must not lose what b gets meanwhile.
      assertThat(client.cursor()).contains(a + ":2:").contains(b + ":1:");
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void resetsWhenCursorIsOlderThanHistory(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "reset-" + transport.label() + "-" + format;
    gateway.publishMany(topic, HISTORY * 3); // ids 1..15, ids 11..15 kept
    long oldest = HISTORY * 2 + 1;
    StreamClient client = client(gateway, transport, format).open(topic, topic + ":3");
    try {
      client.awaitResets(1);
      client.awaitEvents(HISTORY);
      JsonObject reset = client.resets().get(0);
      assertThat(reset.getString("topic")).isEqualTo(topic);
      assertThat(reset.getLong("from")).isEqualTo(oldest);
      assertThat(reset.getString("epoch")).isNotBlank();
      assertThat(client.ids(topic)).containsExactlyElementsOf(LongStream.rangeClosed(oldest, HISTORY * 3).boxed().toList());
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void resetsWhenCursorNamesAnotherEpoch(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "epoch-" + transport.label() + "-" + format;
    gateway.publishMany(topic, 2);
    StreamClient client = client(gateway, transport, format)
      .open(topic, topic + ":7:oldlife");
    try {
      client.awaitResets(1);
      client.awaitEvents(2);
      assertThat(client.resets().get(0).getLong("from")).isEqualTo(1L);
      assertThat(client.ids(topic)).containsExactly(1L, 2L);
    } finally {
      client.close();
    }
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void startsAtNowWithoutCursor(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "now-" + transport.label() + "-" + format;
    gateway.publishMany(topic, 4);
    StreamClient client = client(gateway, transport, format).open(topic);
    try {
      gateway.publish(topic, new JsonObject().put("n", 5));
      client.awaitEvents(1);
      assertThat(client.ids(topic)).containsExactly(5L);
    } finally {
      client.close();
    }
  }

  /**
   * A subscriber that asked for presence sees who was there, who joins and who leaves, on its own
   * transport: frames for the push transports (one join, one leave), snapshots in the answers of
   * the polls (the current list, not a replay); the events between keep their consecutive ids and
   * the cursor stays the events' cursor.
   */
  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("paths")
  void presenceTravelsBesideTheEventsWithoutTakingIds(String writePath, Transport transport, String format) throws Exception {
    TestGateway gateway = GATEWAYS.get(writePath);
    String topic = "presence-" + transport.label() + "-" + format;
    StreamClient watcher = client(gateway, transport, format)
      .query("presence=1&name=watcher&client=watcher-" + transport.label() + "-" + format + "&interval=1");
    watcher.open(topic);
    WsClient ann = null;
    try {
      watcher.awaitPresence(f -> f.getString("op").equals("presence") && topic.equals(f.getString("topic")), "snapshot");
      long first = gateway.publishId(topic, new JsonObject().put("n", 1));
      ann = (WsClient) new WsClient(gateway.vertx, gateway.port()).query("presence=1&name=ann");
      ann.open(topic);
      watcher.awaitPresence(f -> shows(f, "ann"), "ann joined");
      long second = gateway.publishId(topic, new JsonObject().put("n", 2));
      ann.close();
      watcher.awaitPresence(f -> f.getString("op").equals("leave") && "ann".equals(f.getJsonObject("member").getString("id"))
        || f.getString("op").equals("presence") && afterJoin(watcher.presence(), f, "ann") && !shows(f, "ann"), "ann left");
      watcher.awaitEvents(2);
      assertThat(watcher.ids(topic)).containsExactly(first, second);
      assertThat(second).isEqualTo(first + 1);
      assertThat(watcher.cursor()).startsWith(topic + ":" + second + ":");
      if (transport == Transport.WS || transport == Transport.SSE) {
        assertThat(watcher.presence()).filteredOn(f -> f.getString("op").equals("join") && isMember(f, "ann")).hasSize(1);
        assertThat(watcher.presence()).filteredOn(f -> f.getString("op").equals("leave") && isMember(f, "ann")).hasSize(1);
      }
    } finally {
      watcher.close();
      if (ann != null) {
        ann.close();
      }
    }
  }

  /** A join of {@code member}, or a snapshot that lists it. */
  private static boolean shows(JsonObject frame, String member) {
    return switch (frame.getString("op")) {
      case "join" -> isMember(frame, member);
      case "presence" -> frame.getJsonArray("members").stream().anyMatch(m -> member.equals(((JsonObject) m).getString("id")));
      default -> false;
    };
  }

  private static boolean isMember(JsonObject frame, String member) {
    return member.equals(frame.getJsonObject("member").getString("id"));
  }

  /** Whether {@code frame} came after a frame that showed {@code member}. */
  private static boolean afterJoin(List<JsonObject> frames, JsonObject frame, String member) {
    int joined = -1;
    for (int i = 0; i < frames.size(); i++) {
      if (joined < 0 && shows(frames.get(i), member)) {
        joined = i;
      }
      if (frames.get(i) == frame) {
        return joined >= 0 && i > joined;
      }
    }
    return false;
  }
}
