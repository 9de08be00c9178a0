package io.pushgateway.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An SSE stream on the wire. Its framing: an HTTP/1.1 stream's body runs until the connection
 * closes (RFC 9112 §6.3), no length, no chunking, so each event is its SSE text alone; an HTTP/1.0
 * client, which knows no chunking, gets the same; a client that asks to close its connection
 * after the response gets it chunked, as Vert.x serves any response. Its ids: every cursor entry
 * names its epoch, also for a topic the client resumed by id alone ({@code topic:0}) and that has
 * had no event since, since the browser sends an {@code id:} line back as {@code Last-Event-ID}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SseWireTest {

  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @Test
  void everyEntryOfAnSseIdNamesItsEpoch() throws Exception {
    gateway.publish("quiet", 1);
    SseClient sse = new SseClient(gateway.vertx, gateway.port()).open("loud,quiet,unborn", "loud:0,quiet:1,unborn:0");
    try {
      gateway.publish("loud", 1);
      sse.awaitEvents(1);
      String epoch = gateway.get("/api/topics/quiet").json().getString("epoch");
      assertThat(sse.cursor().split(","))
        .as("the id of the event on loud")
        .allSatisfy(entry -> assertThat(entry).matches("[a-z]+:\\d+:\\w+"))
        .contains("quiet:1:" + epoch);
    } finally {
      sse.close();
    }
  }
  @Test
  void anHttp11StreamRunsUntilTheConnectionClosesWithNoFraming() throws Exception {
    String body = stream("frame.11", "HTTP/1.1", "", "HTTP/1.1 200 OK");
    assertThat(body).isEqualTo(": open\nretry: 1000\n\n" + event("frame.11", "first") + event("frame.11", "second"));
  }

  @Test
  void anHttp10ClientGetsTheEventsUnframedToo() throws Exception {
    String body = stream("frame.10", "HTTP/1.0", "", "HTTP/1.0 200 OK");
    assertThat(body).isEqualTo(": open\nretry: 1000\n\n" + event("frame.10", "first") + event("frame.10", "second"));
  }

  @Test
  void aClientThatClosesItsConnectionGetsTheEventsChunked() throws Exception {
    String body = stream("frame.close", "HTTP/1.1", "Connection: close\r\n", "HTTP/1.1 200 OK");
    assertThat(body).contains("\r\n" + event("frame.close", "first") + "\r\n")
      .endsWith("\r\n" + event("frame.close", "second"));
  }

  /**
   * A stream that has opened is subscribed: an event published the moment the client reads the
   * stream's first bytes reaches it, however soon that is (the session asks for its topics' heads
   * before those bytes leave), on each of the three framings.
   */
  @ParameterizedTest
  @CsvSource({"HTTP/1.1, ''", "HTTP/1.0, ''", "HTTP/1.1, Connection: close"})
  void anEventPublishedAsTheStreamOpensReachesIt(String version, String header) throws Exception {
    for (int round = 0; round < 50; round++) {
      String topic = "frame.open" + version.charAt(7) + header.length() + "." + round;
      gateway.publish(topic, new JsonObject().put("mark", "before"));
      try (Socket socket = new Socket()) {
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
        socket.getOutputStream().write(("GET /sse?topics=" + topic + " " + version + "\r\nHost: 127.0.0.1\r\n"
          + (header.isEmpty() ? "" : header + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        readPast(socket.getInputStream(), "retry: 1000\n\n");
        gateway.publish(topic, new JsonObject().put("mark", "at-open"));
        readPast(socket.getInputStream(), "\"mark\":\"at-open\"}}\n\n");
      }
    }
  }

  /** A client has nothing to send on its stream: bytes after its request (a pipelined one) end it. */
  @Test
  void aClientThatWritesOnItsStreamIsLetGo() throws Exception {
    gateway.publish("frame.talk", new JsonObject().put("mark", "before"));
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      socket.getOutputStream().write("GET /sse?topics=frame.talk HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      readPast(in, "retry: 1000\n\n");
      gateway.awaitSubscribers("frame.talk", "sse", 1);
      socket.getOutputStream().write("GET /poll?topics=frame.talk HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      assertThat(in.read()).as("the end of the stream").isEqualTo(-1);
      gateway.awaitSubscribers("frame.talk", "sse", 0);
    }
  }

  /**
   * Opens {@code /sse} on a raw socket, publishes two events and returns the body read up to the
   * end of the second, once the head has been checked: its status line, and framing as {@code
   * extraHeaders} lead to expect.
   */
  private static String stream(String topic, String version, String extraHeaders, String statusLine) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      gateway.publish(topic, new JsonObject().put("mark", "before")); // the stream starts after it
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      socket.getOutputStream().write(("GET /sse?topics=" + topic + " " + version + "\r\nHost: 127.0.0.1\r\n"
        + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
      gateway.awaitSubscribers(topic, "sse", 1);
      gateway.publish(topic, new JsonObject().put("mark", "first"));
      gateway.publish(topic, new JsonObject().put("mark", "second"));
      String received = readPast(socket.getInputStream(), "\"mark\":\"second\"}}\n\n");
      int headEnd = received.indexOf("\r\n\r\n");
      String head = received.substring(0, headEnd).toLowerCase(Locale.ROOT);
      assertThat(head).startsWith(statusLine.toLowerCase(Locale.ROOT)).contains("content-type: text/event-stream")
        .doesNotContain("content-length");
      if (extraHeaders.isEmpty()) {
        assertThat(head).doesNotContain("transfer-encoding");
      } else {
        assertThat(head).contains("transfer-encoding: chunked");
      }
      return received.substring(headEnd + 4);
    }
  }

  /** The SSE text of the topic's event marked {@code mark}, as the gateway's history has it. */
  private static String event(String topic, String mark) throws Exception {
    JsonObject answer = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":0").json();
    JsonObject event = answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> mark.equals(e.getJsonObject("data").getString("mark"))).findFirst().orElseThrow();
    return "id: " + topic + ":" + event.getLong("id") + ":" + answer.getString("cursor").split(":")[2] + "\n"
      + "data: " + event.encode() + "\n\n";
  }

  private static String readPast(InputStream in, String end) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!received.toString(StandardCharsets.UTF_8).contains(end)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("the stream ended before " + end + ": " + received.toString(StandardCharsets.UTF_8));
      }
      received.write(buffer, 0, n);
    }
    String text = received.toString(StandardCharsets.UTF_8);
    return text.substring(0, text.indexOf(end) + end.length());
  }
}
