package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
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
        assertThat(socket.read().text()).contains("\"op\":\"subscribed\""); // control frames go uncompressed
      }

      gateway.publish("z", new JsonObject(DATA));
      gateway.publish("z", new JsonObject(DATA)); // the same data again: no context, no back-reference
      for (int i = 1; i <= 2; i++) {
        Frame compressed = first.read();
        Frame plainFrame = plain.read();
        assertThat(compressed.rsv1).isTrue();
        assertThat(plainFrame.rsv1).isFalse();
        assertThat(second.read().payload).isEqualTo(compressed.payload);
        // A fresh inflater for each message: it must not need what came before it.
        assertThat(inflate(compressed.payload)).isEqualTo(plainFrame.text());
        assertThat(new JsonObject(plainFrame.text()).getLong("id")).isEqualTo(i);
        assertThat(compressed.payload.length).isLessThan(plainFrame.payload.length / 2);
      }
    }
  }

  @Test
  void withoutTheOptionTheExtensionIsDeclinedAndFramesArePlain() throws Exception {
    try (TestGateway gateway = TestGateway.start();
         RawWebSocket socket = RawWebSocket.open(gateway.port(), "/ws?topics=z", OFFER)) {
      assertThat(socket.extensions).isNull();
      socket.read(); // subscribed
      gateway.publish("z", new JsonObject(DATA));
      Frame frame = socket.read();
      assertThat(frame.rsv1).isFalse();
      assertThat(new JsonObject(frame.text()).getJsonObject("data")).isEqualTo(new JsonObject(DATA));
    }
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

  private record Frame(boolean rsv1, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** Just enough of a WebSocket client to see the frames' bits: handshake, then unmasked reads. */
  private static final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    final String extensions;

    private RawWebSocket(Socket socket, DataInputStream in, String extensions) {
      this.socket = socket;
      this.in = in;
      this.extensions = extensions;
    }

    static RawWebSocket open(int port, String path, String offer) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      byte[] key = new byte[16];
      ThreadLocalRandom.current().nextBytes(key);
      String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(key) + "\r\n"
        + (offer == null ? "" : "Sec-WebSocket-Extensions: " + offer + "\r\n") + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String status = line(in);
      assertThat(status).startsWith("HTTP/1.1 101");
      String extensions = null;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        if (header.toLowerCase().startsWith("sec-websocket-extensions:")) {
          extensions = header.substring(header.indexOf(':') + 1).trim();
        }
      }
      return new RawWebSocket(socket, in, extensions);
    }

    private static String line(DataInputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed during the handshake");
        }
        if (b != '\r') {
          bytes.write(b);
        }
      }
      return bytes.toString(StandardCharsets.US_ASCII);
    }

    Frame read() throws IOException {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      assertThat(first & 0x0F).as("opcode: text").isEqualTo(1);
      assertThat(second & 0x80).as("server frames are not masked").isZero();
      long length = second & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      return new Frame((first & 0x40) != 0, payload);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
