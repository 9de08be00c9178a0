package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Push writes that go straight to the socket when nothing waits before them: a reader that stops
 * reading, with a small receive buffer, makes the socket take part of an event and then nothing;
 * the rest of that event and every later one must follow through the pipeline, whole and in
 * order. Events are published one at a time, so each is written alone as soon as it is stored,
 * which is when the socket is tried first; 200 events of 30 kB are more than the loopback's socket
 * buffers hold for a reader with a 4 KiB receive buffer. Event n has id n + 1 (the topic's first
 * event is published before the reader subscribes at its head).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketWriteTest {

  private static final int EVENTS = 200;
  private static final int PAD = 30_000;

  private TestGateway gateway;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  private void start() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("maxQueueBytes", 64 << 20).put("instances", 1));
  }

  @Test
  void aWebSocketReaderThatPausesGetsEveryEventWholeAndInOrder() throws Exception {
    start();
    gateway.publish("paused", new JsonObject().put("n", 0)); // the topic exists, its subscribers count
    try (RawWebSocket reader = RawWebSocket.open(gateway.port(), "/ws?topics=paused", null, 4096)) {
      gateway.awaitSubscribers("paused", "ws", 1);
      publishOneByOne("paused");
      for (int n = 1; n <= EVENTS; ) {
        JsonObject frame = new JsonObject(reader.readText().text());
        if (frame.getString("op") == null) {
          assertEvent(frame, n++);
        }
      }
    }
  }

  @Test
  void anSseReaderThatPausesGetsEveryEventWholeAndInOrder() throws Exception {
    start();
    gateway.publish("pausedsse", new JsonObject().put("n", 0));
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      socket.getOutputStream().write("GET /sse?topics=pausedsse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      gateway.awaitSubscribers("pausedsse", "sse", 1);
      publishOneByOne("pausedsse");

      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(line(in)).isEqualTo("HTTP/1.1 200 OK");
      while (!line(in).isEmpty()) {
        // the rest of the head
      }
      StringBuilder stream = new StringBuilder();
      int n = 1;
      while (n <= EVENTS) {
        stream.append(new String(read(in), StandardCharsets.UTF_8));
        int end;
        while ((end = stream.indexOf("\n\n")) >= 0) {
          for (String field : stream.substring(0, end).split("\n")) {
            if (field.startsWith("data: ")) {
              assertEvent(new JsonObject(field.substring(6)), n++);
            }
          }
          stream.delete(0, end + 2);
        }
      }
    }
  }

  private void publishOneByOne(String topic) throws Exception {
    for (int n = 1; n <= EVENTS; n++) {
      gateway.publish(topic, new JsonObject().put("n", n).put("pad", pad(n)));
    }
  }

  private static void assertEvent(JsonObject event, int n) {
    assertThat(event.getLong("id")).isEqualTo(n + 1);
    JsonObject data = event.getJsonObject("data");
    assertThat(data.getInteger("n")).isEqualTo(n);
    assertThat(data.getString("pad")).isEqualTo(pad(n));
  }

  /** A pad that tells events apart anywhere in it, so a piece of one in another shows. */
  private static String pad(int n) {
    return String.valueOf((char) ('a' + n % 26)).repeat(PAD);
  }

  /** One line of the head, without its CRLF. */
  private static String line(DataInputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("the stream ended");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** What the body has brought next: it runs until the connection closes, with no framing. */
  private static byte[] read(DataInputStream in) throws IOException {
    byte[] data = new byte[8192];
    int n = in.read(data);
    if (n < 0) {
      throw new IOException("the stream ended");
    }
    return Arrays.copyOf(data, n);
  }
}
