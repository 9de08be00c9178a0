package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Publishes being received hold at most {@code maxReceivingBytes} over every connection: an HTTP
 * body reserves its Content-Length at its head, an announced WebSocket binary message its
 * announced size, until it has come. Past that a publish is refused with {@code overloaded}
 * before a byte of it is read, and the bytes a WebSocket sends for a refused publish are passed
 * over unread; slow clients that each send most of a large body used to make the gateway hold
 * {@code maxBinaryBytes} per connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceivingBudgetTest {

  private static final int MAX_BINARY = 1_000_000;

  private static TestGateway gateway;
  private final List<Socket> uploads = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxBinaryBytes", MAX_BINARY).put("maxBatchBytes", 65_536)
      .put("maxReceivingBytes", 3 * MAX_BINARY + 65_536));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @AfterEach
  void endUploads() throws Exception {
    for (Socket upload : uploads) {
      upload.close();
    }
    uploads.clear();
    Eventually.check(gateway.vertx, () -> assertThat(receivingBytes()).isZero());
  }

  @Test
  void bodiesBeingReceivedHoldAtMostTheBudgetAndGiveItBackWhenTheyEnd() throws Exception {
    fillTheBudget();
    try (RawHttp http = new RawHttp(gateway.vertx, gateway.port())) {
      // a small publish still fits, and a JSON body past maxPayloadBytes is refused at its head
      assertThat(http.send("POST", "/api/topics/small/events", "{\"fits\":true}").status()).isEqualTo(201);
      RawHttp.Reply tooLong = http.send("POST", "/api/topics/small/events", null,
        "Content-Type: application/json", "Content-Length: 100000");
      assertThat(tooLong.status()).isEqualTo(413);
      assertThat(tooLong.errorCode()).isEqualTo("payload_too_large");
    }
    uploads.remove(0).close();
    Eventually.check(gateway.vertx, () -> assertThat(receivingBytes()).isEqualTo(2.0 * MAX_BINARY));
    assertThat(postImage("after").status()).isEqualTo(201);
  }

  @Test
  void aWebSocketBinaryPublishPastTheBudgetIsRefusedAndItsBytesArePassedOverUnread() throws Exception {
    fillTheBudget();
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", null)) {
      socket.readText(); // subscribed
      announce(socket, "big");
      JsonObject refused = new JsonObject(socket.readText().text());
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("overloaded");
      assertThat(refused.getString("ref")).isEqualTo("big");
      // the browser sends the bytes anyway: passed over, and the connection serves on
      socket.send(RawWebSocket.BINARY, true, false, new byte[MAX_BINARY]);
      socket.sendText(new JsonObject().put("op", "ping").put("ref", "after").encode());
      assertThat(new JsonObject(socket.readText().text()).getString("ref")).isEqualTo("after");

      endUploads();
      announce(socket, "again");
      socket.send(RawWebSocket.BINARY, true, false, new byte[MAX_BINARY]);
      JsonObject reply = new JsonObject(socket.readText().text());
      assertThat(reply.getString("op")).as(reply.encode()).isEqualTo("ack");
    }
  }

  @Test
  void theBytesOfAnyRefusedBinaryPublishArePassedOverUnread() throws Exception {
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", null)) {
      socket.readText(); // subscribed
      socket.sendText(new JsonObject().put("op", "publish").put("topic", "images").put("contentType", "image/png")
        .put("bytes", 2 * MAX_BINARY).put("ref", "huge").encode());
      assertThat(new JsonObject(socket.readText().text()).getString("code")).isEqualTo("payload_too_large");
      socket.send(RawWebSocket.BINARY, true, false, new byte[2 * MAX_BINARY]);
      socket.sendText(new JsonObject().put("op", "ping").put("ref", "after").encode());
      assertThat(new JsonObject(socket.readText().text()).getString("ref")).isEqualTo("after");
    }
  }

  /** Three uploads of MAX_BINARY that send their head and ten bytes, then wait: the budget is taken. */
  private void fillTheBudget() throws Exception {
    for (int i = 0; i < 3; i++) {
      Socket upload = new Socket("127.0.0.1", gateway.port());
      uploads.add(upload);
      OutputStream out = upload.getOutputStream();
      out.write(("POST /api/topics/held/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
        + "Content-Length: " + MAX_BINARY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[10]);
      out.flush();
    }
    Eventually.check(gateway.vertx, () -> assertThat(receivingBytes()).isEqualTo(3.0 * MAX_BINARY));
    // a fourth is refused at its head, its body unread
    RawHttp.Reply refused = postImage("fourth");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("overloaded");
    assertThat(refused.header("Connection")).isEqualTo("close");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
  }

  /** What the gateway says it holds for publishes being received. */
  private static double receivingBytes() throws Exception {
    return gateway.scrape().value("pushgateway_receiving_bytes");
  }

  private static RawHttp.Reply postImage(String topic) throws Exception {
    try (RawHttp http = new RawHttp(gateway.vertx, gateway.port())) {
      return http.post("/api/topics/" + topic + "/events", "image/png", new byte[MAX_BINARY]);
    }
  }

  private static void announce(RawWebSocket socket, String ref) throws IOException {
    socket.sendText(new JsonObject().put("op", "publish").put("topic", "images").put("contentType", "image/png")
      .put("bytes", MAX_BINARY).put("ref", ref).encode());
  }
}
