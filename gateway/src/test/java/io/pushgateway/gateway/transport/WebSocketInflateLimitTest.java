package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compressed client messages (RFC 7692) are held to {@code maxFrameBytes} while they inflate: a
 * decompression bomb, whole or in fragments, is closed with 1009 without being built, and the
 * gateway goes on serving everyone else. Messages within the limit are understood as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketInflateLimitTest {

  private static final String OFFER = "permessage-deflate; client_max_window_bits";
  private static final int MAX_FRAME_BYTES = 131_072;

  private TestGateway gateway;
  private WsClient bystander;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("compression", true).put("maxFrameBytes", MAX_FRAME_BYTES));
    bystander = new WsClient(gateway.vertx, gateway.port()).open("calm");
  }

  @AfterEach
  void stop() throws Exception {
    bystander.close();
    gateway.close();
  }

  @Test
  void aCompressedMessageWithinTheLimitIsUnderstood() throws Exception {
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      assertThat(socket.extensions).startsWith("permessage-deflate");
      socket.readText(); // subscribed
      for (int i = 0; i < 2; i++) { // twice: each message stands alone
        String ref = "r".repeat(60_000) + i;
        socket.send(RawWebSocket.TEXT, true, true, compressed(ping(ref)));
        JsonObject pong = new JsonObject(socket.readText().text());
        assertThat(pong.getString("op")).isEqualTo("pong");
        assertThat(pong.getString("ref")).isEqualTo(ref);
      }
    }
  }

  @Test
  void aCompressedMessageInFragmentsWithinTheLimitIsUnderstood() throws Exception {
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      socket.readText(); // subscribed
      String ref = "f".repeat(100_000);
      byte[][] parts = compressedInParts(ping(ref), 4);
      sendFragments(socket, parts);
      assertThat(new JsonObject(socket.readText().text()).getString("ref")).isEqualTo(ref);
    }
  }

  @Test
  void a64MibBombIsClosedWith1009AndOthersAreStillServed() throws Exception {
    byte[] bomb = compressed(ping("b".repeat(64 * 1024 * 1024)));
    assertThat(bomb.length).isLessThan(MAX_FRAME_BYTES); // passes the wire limit: only inflating shows its size
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      socket.readText(); // subscribed
      socket.send(RawWebSocket.TEXT, true, true, bomb);
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
    assertStillServing();
  }

  @Test
  void aBombInFragmentsIsClosedWith1009AlthoughNoFragmentIsOverTheLimit() throws Exception {
    // 16 fragments of 64 KiB each once inflated: the message passes the limit at its third.
    byte[][] parts = compressedInParts(ping("p".repeat(16 * 65_536)), 16);
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      socket.readText(); // subscribed
      sendFragments(socket, parts);
      assertThat(socket.readUntilClose()).isEqualTo(1009);
    }
    assertStillServing();
  }

  @Test
  void corruptCompressedDataIsClosedWith1007() throws Exception {
    try (RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      socket.readText(); // subscribed
      byte[] garbage = new byte[64];
      Arrays.fill(garbage, (byte) 0xFF); // an invalid DEFLATE block type
      socket.send(RawWebSocket.TEXT, true, true, garbage);
      assertThat(socket.readUntilClose()).isEqualTo(1007);
    }
    assertStillServing();
  }

  private void assertStillServing() throws Exception {
    gateway.publish("calm", new JsonObject().put("still", "here"));
    assertThat(bystander.awaitEvents(1).get(0).getJsonObject("data").getString("still")).isEqualTo("here");
  }

  private static void sendFragments(RawWebSocket socket, byte[][] parts) throws Exception {
    for (int i = 0; i < parts.length; i++) {
      // RFC 7692 §6.1: only the first frame of a message carries the compressed bit.
      socket.send(i == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, i == parts.length - 1, i == 0, parts[i]);
    }
  }

  private static byte[] ping(String ref) {
    return new JsonObject().put("op", "ping").put("ref", ref).encode().getBytes(StandardCharsets.UTF_8);
  }

  /** One message as permessage-deflate sends it: raw DEFLATE, flushed, its 00 00 FF FF tail removed. */
  private static byte[] compressed(byte[] message) {
    return compressedInParts(message, 1)[0];
  }

  /** The message cut in {@code count} pieces, each compressed and flushed on its own, as fragments. */
  private static byte[][] compressedInParts(byte[] message, int count) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[][] parts = new byte[count][];
    int step = (message.length + count - 1) / count;
    byte[] buffer = new byte[64 * 1024];
    for (int i = 0; i < count; i++) {
      deflater.setInput(message, i * step, Math.min(step, message.length - i * step));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int n;
      do {
        n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
        out.write(buffer, 0, n);
      } while (n == buffer.length || !deflater.needsInput());
      parts[i] = out.toByteArray();
    }
    deflater.end();
    byte[] last = parts[count - 1];
    parts[count - 1] = Arrays.copyOf(last, last.length - 4); // RFC 7692 §7.2.1: drop the tail
    return parts;
  }
}
