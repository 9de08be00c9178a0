package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket message is judged by the frame headers that announce it, before its bytes are
 * held: a client that announces a message past its limit and sends only its start is closed
 * with 1009 at once (the gateway used to gather up to {@code maxBinaryBytes}, 10 MiB, of such a
 * message per connection, waiting for the rest). A binary publish may still be as long as its op
 * announced, even when the op and the bytes arrive in one read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OversizeFramesTest {

  private static final int MAX_FRAME_BYTES = 131_072;
  private static final byte[] START = "{\"op\":\"ping\",\"pad\":\"".getBytes(StandardCharsets.UTF_8);

  private static TestGateway gateway;
  private static WsClient bystander;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxFrameBytes", MAX_FRAME_BYTES));
    bystander = new WsClient(gateway.vertx, gateway.port()).open("calm");
  }

  @AfterAll
  static void stop() throws Exception {
    bystander.close();
    gateway.close();
  }

  @Test
  void aTextFrameAnnouncedPastTheLimitIsClosedAtItsHeader() throws Exception {
    try (RawWebSocket socket = open()) {
      socket.sendStart(RawWebSocket.TEXT, true, 10_000_000, START);
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
    assertStillServing();
  }

  @Test
  void fragmentsAreClosedAtTheHeaderThatTakesTheirMessagePastTheLimit() throws Exception {
    try (RawWebSocket socket = open()) {
      socket.send(RawWebSocket.TEXT, false, false, START);
      socket.send(RawWebSocket.CONTINUATION, false, false, new byte[MAX_FRAME_BYTES - 1000]);
      socket.sendStart(RawWebSocket.CONTINUATION, true, 2000, new byte[10]);
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
    assertStillServing();
  }

  @Test
  void aBinaryFrameNoPublishAnnouncedIsHeldToTheTextLimit() throws Exception {
    try (RawWebSocket socket = open()) {
      socket.sendStart(RawWebSocket.BINARY, true, 2 * MAX_FRAME_BYTES, new byte[10]);
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
    assertStillServing();
  }

  @Test
  void theFramesBeforeARefusedOneAreServed() throws Exception {
    try (RawWebSocket socket = open()) {
      socket.sendTogether(text(new JsonObject().put("op", "ping").put("ref", "before")),
        RawWebSocket.frame(RawWebSocket.TEXT, true, false, 10_000_000, START));
      assertThat(new JsonObject(socket.readText().text()).getString("ref")).isEqualTo("before");
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
  }

  @Test
  void aBinaryPublishReadTogetherWithTheOpThatAnnouncedItIsTakenWhole() throws Exception {
    int size = 4 * MAX_FRAME_BYTES;
    try (RawWebSocket socket = open()) {
      socket.sendTogether(
        text(new JsonObject().put("op", "publish").put("topic", "images").put("contentType", "image/png")
          .put("bytes", size).put("ref", "img")),
        RawWebSocket.frame(RawWebSocket.BINARY, true, false, size, new byte[size]),
        text(new JsonObject().put("op", "ping").put("ref", "after")));
      // the pong may come before the ack, which waits for the event to be stored
      List<String> replies = List.of(reply(socket), reply(socket));
      assertThat(replies).containsExactlyInAnyOrder("ack:img", "pong:after");
    }
  }

  private static RawWebSocket open() throws Exception {
    RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", null);
    socket.readText(); // subscribed
    return socket;
  }

  private static String reply(RawWebSocket socket) throws Exception {
    JsonObject reply = new JsonObject(socket.readText().text());
    return reply.getString("op") + ":" + reply.getString("ref");
  }

  private static byte[] text(JsonObject command) {
    byte[] payload = command.encode().getBytes(StandardCharsets.UTF_8);
    return RawWebSocket.frame(RawWebSocket.TEXT, true, false, payload.length, payload);
  }

  private static void assertStillServing() throws Exception {
    int before = bystander.events().size();
    gateway.publish("calm", new JsonObject().put("still", "here"));
    assertThat(bystander.awaitEvents(before + 1).get(before).getJsonObject("data").getString("still"))
      .isEqualTo("here");
  }
}
