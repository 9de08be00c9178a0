package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.RawWebSocket.Frame;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * permessage-deflate (RFC 7692) as the {@code compression} option offers it, read off the wire by
 * a raw socket client: the gateway compresses each event once, on its own, and writes the same
 * bytes to every connection that accepted the extension.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketCompressionTest {

  private static final String OFFER = "permessage-deflate; client_max_window_bits";
  private static final String DATA = "{\"note\":\"" + "compressible ".repeat(20) + "\"}";

  @Test
  void eachEventIsCompressedOnceAndTheSameBytesReachEveryCompressingConnection() throws Exception {
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("compression", true));
         RawWebSocket first = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER);
         RawWebSocket second = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER);
         RawWebSocket plain = RawWebSocket.open(gateway.port(), "/ws?topics=z", null)) {
      assertThat(first.extensions).startsWith("permessage-deflate");
      assertThat(second.extensions).startsWith("permessage-deflate");
      assertThat(plain.extensions).isNull();
      for (RawWebSocket socket : new RawWebSocket[] {first, second, plain}) {
        assertThat(text(socket).text()).contains("\"op\":\"subscribed\""); // control frames go uncompressed
      }

      gateway.publish("z", new JsonObject(DATA));
      gateway.publish("z", new JsonObject(DATA)); // the same data again: no context, no back-reference
      for (int i = 1; i <= 2; i++) {
        Frame compressed = text(first);
        Frame plainFrame = text(plain);
        assertThat(compressed.rsv1()).isTrue();
        assertThat(plainFrame.rsv1()).isFalse();
        assertThat(text(second).payload()).isEqualTo(compressed.payload());
        // A fresh inflater for each message: it must not need what came before it.
        assertThat(inflate(compressed.payload())).isEqualTo(plainFrame.text());
        assertThat(new JsonObject(plainFrame.text()).getLong("id")).isEqualTo(i);
        assertThat(compressed.payload().length).isLessThan(plainFrame.payload().length / 2);
      }
    }
  }

  @Test
  void withoutTheOptionTheExtensionIsDeclinedAndFramesArePlain() throws Exception {
    try (TestGateway gateway = TestGateway.start();
         RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      assertThat(socket.extensions).isNull();
      text(socket); // subscribed
      gateway.publish("z", new JsonObject(DATA));
      Frame frame = text(socket);
      assertThat(frame.rsv1()).isFalse();
      assertThat(new JsonObject(frame.text()).getJsonObject("data")).isEqualTo(new JsonObject(DATA));
    }
  }

  /** The next frame, which must be a whole text message: events and replies are never fragmented. */
  private static Frame text(RawWebSocket socket) throws IOException {
    Frame frame = socket.readText();
    assertThat(frame.opcode()).as("opcode: text").isEqualTo(RawWebSocket.TEXT);
    assertThat(frame.fin()).as("one frame per message").isTrue();
    return frame;
  }

  private static String inflate(byte[] payload) throws DataFormatException {
    Inflater inflater = new Inflater(true);
    byte[] tail = {0, 0, (byte) 0xFF, (byte) 0xFF}; // RFC 7692 §7.2.2: the receiver appends it
    byte[] input = Arrays.copyOf(payload, payload.length + tail.length);
    System.arraycopy(tail, 0, input, payload.length, tail.length);
    inflater.setInput(input);
    byte[] out = new byte[64 * 1024];
    int length = inflater.inflate(out);
    inflater.end();
    return new String(out, 0, length, StandardCharsets.UTF_8);
  }
}
