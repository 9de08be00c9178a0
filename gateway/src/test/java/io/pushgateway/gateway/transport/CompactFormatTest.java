package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.StreamClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compact format on the wire, byte for byte: {@code [alias,data]} when the client can derive
 * the id, the id where it cannot (a history read from {@code topic:0}), timestamps on request,
 * aliases announced by {@code subscribed} frames and reused after an unsubscribe, binary events
 * in full, and compact cursors that resume. On both write paths. {@code TransportContractTest}
 * runs the whole transport contract in this format as well.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompactFormatTest {

  private static final int HISTORY = 5;
  private static final Map<String, TestGateway> GATEWAYS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    for (String path : List.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX)) {
      GATEWAYS.put(path, TestGateway.start(new JsonObject().put("historySize", HISTORY).put("writePath", path)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway gateway : GATEWAYS.values()) {
      gateway.close();
    }
  }

  static List<String> paths() {
    return List.of(GatewayConfig.WRITE_PATH_NETTY, GatewayConfig.WRITE_PATH_VERTX);
  }

  @ParameterizedTest
  @MethodSource("paths")
  void aWebSocketEventIsItsAliasAndItsDataWithTheIdOnlyWhereItCannotBeDerived(String path) throws Exception {
    TestGateway gateway = GATEWAYS.get(path);
    String t = "ws-t-" + path;
    String u = "ws-u-" + path;
    gateway.publishMany(t, HISTORY + 3); // ids 4..8 kept
    try (RawWebSocket ws = RawWebSocket.open(gateway.port(), "/ws?topics=" + t + "," + u + "&cursor=" + t + ":0"
      + "&format=compact", null)) {
      JsonObject first = new JsonObject(ws.readText().text());
      JsonObject second = new JsonObject(ws.readText().text());
      assertThat(List.of(first.getString("topic"), first.getInteger("alias"))).containsExactly(t, 0);
      assertThat(List.of(second.getString("topic"), second.getInteger("alias"))).containsExactly(u, 1);
      // t:0 keeps everything kept, 4..8: the first id is not 0 + 1, so it is sent; the rest follow
      assertThat(ws.readText().text()).isEqualTo("[0,{\"n\":4},4]");
      for (int n = 5; n <= HISTORY + 3; n++) {
        assertThat(ws.readText().text()).isEqualTo("[0,{\"n\":" + n + "}]");
      }
      // u started at "now", id 0 as its subscribed frame said: its first event is 1
      gateway.publish(u, new JsonObject().put("n", 1));
      assertThat(ws.readText().text()).isEqualTo("[1,{\"n\":1}]");

      // an alias freed by an unsubscribe goes to the next topic subscribed
      ws.sendText("{\"op\":\"unsubscribe\",\"topic\":\"" + t + "\",\"ref\":\"r1\"}");
      assertThat(new JsonObject(ws.readText().text()).getString("ref")).isEqualTo("r1");
      String v = "ws-v-" + path;
      gateway.publishMany(v, 2);
      ws.sendText("{\"op\":\"subscribe\",\"topic\":\"" + v + "\",\"after\":1}");
      JsonObject subscribed = new JsonObject(ws.readText().text());
      assertThat(List.of(subscribed.getString("topic"), subscribed.getInteger("alias"))).containsExactly(v, 0);
      assertThat(ws.readText().text()).isEqualTo("[0,{\"n\":2}]");
    }
  }

  @ParameterizedTest
  @MethodSource("paths")
  void timestampsComeOnRequestWithTheirIds(String path) throws Exception {
    TestGateway gateway = GATEWAYS.get(path);
    String topic = "ts-" + path;
    try (RawWebSocket ws = RawWebSocket.open(gateway.port(), "/ws?topics=" + topic + "&format=compact&ts=1", null)) {
      ws.readText(); // subscribed
      JsonObject published = gateway.publish(topic, "hi");
      assertThat(ws.readText().text()).isEqualTo("[0,\"hi\"," + published.getLong("id") + "," + published.getLong("ts") + "]");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBinaryEventIsSpelledInFullAndTheIdsAfterItFollowFromIt(Transport transport) throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String topic = "binary-" + transport.label();
    StreamClient client = StreamClient.create(transport, gateway.vertx, gateway.port()).compact(false).open(topic, topic + ":0");
    try {
      gateway.publish(topic, 1);
      TestGateway.Reply binary = gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events",
        Buffer.buffer(new byte[] {1, 2, 3}), "image/png");
      assertThat(binary.status()).isEqualTo(201);
      gateway.publish(topic, 3);
      List<JsonObject> events = client.awaitEvents(3);
      assertThat(events).extracting(e -> e.getLong("id")).containsExactly(1L, 2L, 3L);
      assertThat(events.get(1).getString("contentType")).isEqualTo("image/png");
      assertThat(events.get(1).getString("data")).isEqualTo("AQID");
      assertThat(events.get(2).getValue("data")).isEqualTo(3);
    } finally {
      client.close();
    }
  }

  /** One topic on SSE: the data alone, the id in the id line, no optional spaces; binary events apart. */
  @Test
  void aOneTopicSseStreamSendsTheDataAlone() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String topic = "sse-bare";
    gateway.publish(topic, new JsonObject().put("n", 1));
    gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(new byte[] {1, 2, 3}), "image/png");
    String epoch = gateway.get("/api/topics/" + topic).json().getString("epoch");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /sse?topics=" + topic + "&format=compact&cursor=" + topic + ":0 HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String expected = "id:1." + epoch + "\ndata:{\"n\":1}\n\n";
      String binary = "id:2." + epoch + "\nevent:binary\ndata:{\"topic\":\"" + topic + "\",\"id\":2,";
      StringBuilder received = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (!received.toString().contains(binary) || !received.toString().contains("AQID")) {
        int n = socket.getInputStream().read(buffer);
        assertThat(n).as("the stream so far: " + received).isPositive();
        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(received.toString()).contains(expected);
    }
  }

  @Test
  void anSseIdIsTheCompactCursorAndResumesAsLastEventId() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String a = "sse-a";
    String b = "sse-b";
    gateway.publishMany(a, 2);
    String epoch = gateway.get("/api/topics/" + a).json().getString("epoch");
    SseClient first = (SseClient) new SseClient(gateway.vertx, gateway.port()).compact(false);
    first.open(a + "," + b, a + ":0");
    String lastEventId;
    try {
      first.awaitEvents(2);
      gateway.publish(b, 1);
      first.awaitEvents(3);
      lastEventId = first.wireCursor();
      String bEpoch = gateway.get("/api/topics/" + b).json().getString("epoch");
      assertThat(lastEventId).isEqualTo("2." + epoch + (bEpoch.equals(epoch) ? ",1" : ",1." + bEpoch));
    } finally {
      first.close();
    }
    gateway.publish(a, 3);
    gateway.publish(b, 2);
    SseClient second = (SseClient) new SseClient(gateway.vertx, gateway.port()).compact(false);
    second.open(a + "," + b, null, lastEventId);
    try {
      second.awaitEvents(2);
      assertThat(second.ids(a)).containsExactly(3L);
      assertThat(second.ids(b)).containsExactly(2L);
      assertThat(second.resets()).isEmpty();
    } finally {
      second.close();
    }
  }

  @Test
  void aPollAnswerSpellsItsEventsAndCursorCompactly() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    String topic = "poll-c";
    gateway.publishMany(topic, 3);
    String epoch = gateway.get("/api/topics/" + topic).json().getString("epoch");
    JsonObject answer = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":1&format=compact").json();
    assertThat(answer.getJsonArray("events"))
      .isEqualTo(new JsonArray().add(new JsonArray("[0,{\"n\":2}]")).add(new JsonArray("[0,{\"n\":3}]")));
    assertThat(answer.getString("cursor")).isEqualTo("3." + epoch);
    gateway.publish(topic, 4);
    JsonObject next = gateway.get("/poll/long?topics=" + topic + "&cursor=" + answer.getString("cursor")
      + "&format=compact").json();
    assertThat(next.getJsonArray("events")).isEqualTo(new JsonArray().add(new JsonArray().add(0).add(4)));
  }

  @Test
  void badFormatsAndCompactCursorsAreRefusedOnEveryTransport() throws Exception {
    TestGateway gateway = GATEWAYS.get(GatewayConfig.WRITE_PATH_NETTY);
    for (String endpoint : List.of("/ws", "/sse", "/poll/long", "/poll")) {
      for (String query : List.of("format=xml", "format=", "ts=1", "format=compact&ts=2")) {
        TestGateway.Reply reply = gateway.get(endpoint + "?topics=a&" + query);
        assertThat(reply.status()).as(endpoint + "?" + query).isEqualTo(400);
        assertThat(reply.errorCode()).as(endpoint + "?" + query).isEqualTo("invalid_parameter");
      }
      TestGateway.Reply tooMany = gateway.get(endpoint + "?topics=a&format=compact&cursor=1,2");
      assertThat(tooMany.errorCode()).as(endpoint).isEqualTo("invalid_cursor");
      TestGateway.Reply badEpoch = gateway.get(endpoint + "?topics=a&format=compact&cursor="
        + java.net.URLEncoder.encode("1.no way", StandardCharsets.UTF_8));
      assertThat(badEpoch.errorCode()).as(endpoint).isEqualTo("invalid_cursor");
    }
  }
}
