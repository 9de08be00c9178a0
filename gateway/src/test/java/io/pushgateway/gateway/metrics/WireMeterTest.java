package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Wire meters against a running gateway, through plain sockets that count every byte they send and
 * receive: a meter must show exactly what its client put on the wire, headers, handshakes and
 * frames included, and nothing of the requests on the same connection that did not name it.
 */
class WireMeterTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @Test
  void pollsAreChargedTheirRequestsAndAnswersByteForByteAndNothingElseOnTheirConnection() throws Exception {
    gateway.publish("meter.poll", new JsonObject().put("n", 1));
    try (Wire wire = new Wire(gateway.port())) {
      wire.send(get("/poll?topics=meter.poll&cursor=meter.poll:0&meter=poll-meter-1"));
      assertThat(wire.readAnswer()).contains("\"n\":1");
      long up = wire.up;
      long down = wire.down;
      // the same keep-alive connection, a request that names no meter: not charged
      wire.send(get("/health"));
      assertThat(wire.readAnswer()).contains("UP");
      assertThat(meter("poll-meter-1")).isEqualTo(new JsonObject()
        .put("meter", "poll-meter-1").put("bytesUp", up).put("bytesDown", down).put("requests", 1).put("open", 0));

      long before = wire.up + wire.down;
      wire.send(get("/poll/long?topics=meter.poll&cursor=meter.poll:1&timeout=10&meter=poll-meter-1"));
      gateway.awaitSubscribers("meter.poll", "long", 1);
      gateway.publish("meter.poll", new JsonObject().put("n", 2));
      assertThat(wire.readAnswer()).contains("\"n\":2");
      JsonObject meter = meter("poll-meter-1");
      assertThat(meter.getLong("bytesUp") + meter.getLong("bytesDown")).isEqualTo(up + down + wire.up + wire.down - before);
      assertThat(meter.getLong("requests")).isEqualTo(2);
    }
  }

  @Test
  void aWebSocketIsChargedItsHandshakeAndEveryFrameBothWays() throws Exception {
    webSocketIsChargedExactly(gateway, "ws-meter-1");
  }

  @Test
  void theVertxWritePathMetersWebSocketsTheSameWay() throws Exception {
    try (TestGateway vertxPath = TestGateway.start(new JsonObject().put("writePath", "vertx"))) {
      webSocketIsChargedExactly(vertxPath, "ws-meter-2");
    }
  }

  private static void webSocketIsChargedExactly(TestGateway gateway, String key) throws Exception {
    try (Wire wire = new Wire(gateway.port())) {
      wire.send("GET /ws?topics=meter.ws&meter=" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      wire.readUntil("\"op\":\"subscribed\"");
      gateway.publish("meter.ws", new JsonObject().put("mark", "first-ws-event"));
      wire.readUntil("first-ws-event");
      wire.send(maskedPing("hello"));
      wire.readUntil("hello"); // the pong
      JsonObject meter = meter(gateway, key);
      assertThat(meter.getLong("bytesUp")).isEqualTo(wire.up);
      assertThat(meter.getLong("bytesDown")).isEqualTo(wire.down);
      assertThat(meter.getInteger("open")).isEqualTo(1);
    }
    gatewayLetsGo(gateway, key);
  }

  @Test
  void anSseStreamIsChargedAsLongAsItLasts() throws Exception {
    gateway.publish("meter.sse", new JsonObject().put("mark", "before"));
    try (Wire wire = new Wire(gateway.port())) {
      wire.send(get("/sse?topics=meter.sse&meter=sse-meter-1"));
      gateway.awaitSubscribers("meter.sse", "sse", 1);
      gateway.publish("meter.sse", new JsonObject().put("mark", "first-sse-event"));
      wire.readUntil("first-sse-event");
      gateway.publish("meter.sse", new JsonObject().put("mark", "second-sse-event"));
      wire.readUntil("second-sse-event");
      wire.readUntil("\n\n"); // the end of its event
      JsonObject meter = meter("sse-meter-1");
      assertThat(meter.getLong("bytesUp")).isEqualTo(wire.up);
      assertThat(meter.getLong("bytesDown")).isEqualTo(wire.down);
    }
    gatewayLetsGo(gateway, "sse-meter-1");
  }

  @Test
  void anSseStreamThatOutrunsItsReaderIsChargedEachByteOnce() throws Exception {
    // 200 events of 30 kB to a reader with a 4 KiB receive buffer: the socket takes part of an
    // event and then nothing, the rest waits in the channel's queue; each byte is counted once.
    // No keep-alive comes while the test runs, so nothing follows the last event.
    try (TestGateway roomy = TestGateway.start(new JsonObject().put("maxQueueBytes", 64 << 20).put("instances", 1)
           .put("sseKeepAliveSeconds", 60));
         Wire wire = new Wire(roomy.port(), 4096)) {
      roomy.publish("meter.full", new JsonObject().put("n", 0));
      wire.send(get("/sse?topics=meter.full&meter=full-meter-1"));
      roomy.awaitSubscribers("meter.full", "sse", 1);
      String pad = "x".repeat(30_000);
      for (int n = 1; n <= 200; n++) {
        roomy.publish("meter.full", new JsonObject().put("n", n).put("pad", pad));
      }
      wire.readPast("\"n\":200,", "\n\n"); // the last event and its end
      assertThat(meter(roomy, "full-meter-1").getLong("bytesDown")).isEqualTo(wire.down);
    }
  }

  @Test
  void badKeysAreRefusedAndMetersAreBounded() throws Exception {
    TestGateway.Reply bad = gateway.get("/poll?topics=meter.bad&meter=short");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("invalid_parameter");
    assertThat(gateway.get("/poll?topics=meter.bad&meter=" + "x".repeat(65)).status()).isEqualTo(400);
    assertThat(gateway.get("/poll?topics=meter.bad&meter=has%2Fslash").status()).isEqualTo(400);
    assertThat(gateway.get("/api/meters/never-named").errorCode()).isEqualTo("not_found");
    TestGateway.Reply unnameable = gateway.get("/api/meters/" + "y".repeat(3000));
    assertThat(unnameable.status()).isEqualTo(400);
    assertThat(unnameable.body()).doesNotContain("yyyyyyyyy");

    try (TestGateway small = TestGateway.start(new JsonObject().put("maxMeters", 2))) {
      for (String key : new String[] {"bounded-1", "bounded-2", "bounded-3"}) {
        // the third is served all the same, only not metered
        assertThat(small.get("/poll?topics=meter.bad&meter=" + key).status()).isEqualTo(200);
      }
      assertThat(small.get("/api/meters/bounded-2").json().getLong("requests")).isEqualTo(1);
      TestGateway.Reply third = small.get("/api/meters/bounded-3");
      assertThat(third.status()).isEqualTo(404);
      assertThat(third.errorCode()).isEqualTo("not_found");
    }
  }

  /** Once its connection is closed, a stream's meter is no longer held. */
  private static void gatewayLetsGo(TestGateway gateway, String key) throws Exception {
    Eventually.check(gateway.vertx,
      () -> assertThat(meter(gateway, key).getInteger("open")).isZero());
  }

  private static JsonObject meter(String key) throws Exception {
    return meter(gateway, key);
  }

  private static JsonObject meter(TestGateway gateway, String key) throws Exception {
    TestGateway.Reply reply = gateway.get("/api/meters/" + key);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wire-meter-test\r\n\r\n";
  }

  /** A client's ping frame: masked, as RFC 6455 §5.3 requires of every client frame. */
  private static byte[] maskedPing(String text) {
    byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x89;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /** A keep-alive TCP connection that counts the bytes it sends and receives. */
  private static final class Wire implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    long up;
    long down;

    Wire(int port) throws IOException {
      this(port, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before connecting. */
    Wire(int port, int receiveBuffer) throws IOException {
      socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
      send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      up += bytes.length;
    }

    /** Reads until what comes from now on contains {@code marker}; what it read. */
    String readUntil(String marker) throws IOException {
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (!seen.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before " + marker + ": " + seen.toString(StandardCharsets.ISO_8859_1));
        }
        seen.write(b);
        down++;
      }
      return seen.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads in blocks until {@code end} has come after {@code marker}: for a stream too long to read
     * a byte at a time, and whose sender then falls silent (a block may read past {@code end}).
     */
    void readPast(String marker, String end) throws IOException {
      StringBuilder seen = new StringBuilder();
      byte[] block = new byte[1 << 16];
      int at = -1;
      while (at < 0 || seen.indexOf(end, at) < 0) {
        int n = in.read(block);
        if (n < 0) {
          throw new IOException("closed before " + marker + " and " + end.strip());
        }
        down += n;
        int searchFrom = Math.max(0, seen.length() - marker.length());
        seen.append(new String(block, 0, n, StandardCharsets.ISO_8859_1));
        if (at < 0) {
          at = seen.indexOf(marker, searchFrom);
        }
      }
    }

    /** One whole answer with a Content-Length; its body. */
    String readAnswer() throws IOException {
      String head = readUntil("\r\n\r\n");
      String lengthLine = head.toLowerCase(Locale.ROOT).lines()
        .filter(line -> line.startsWith("content-length:")).findFirst().orElseThrow();
      int length = Integer.parseInt(lengthLine.substring("content-length:".length()).trim());
      byte[] body = in.readNBytes(length);
      down += body.length;
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
