package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.SseClient;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The largest subscription the protocol allows (64 topics of 128 characters, with the full cursor
 * the gateway hands out, percent-encoded, and a token's worth of query) fits every HTTP transport;
 * a request over the limits gets 414 or 431 with the protocol's JSON error body.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestSizeTest {

  private static final int TOPICS = 64;
  private static TestGateway gateway;
  private static final List<String> topics = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
    for (int i = 0; i < TOPICS; i++) {
      String prefix = "size-" + i + "-";
      topics.add(prefix + "x".repeat(128 - prefix.length()));
    }
    for (String topic : topics) {
      gateway.publish(topic, new JsonObject().put("first", topic.substring(0, 8)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void theLargestSubscriptionFitsShortAndLongPolls() throws Exception {
    String fromStart = String.join(",", topics.stream().map(t -> t + ":0").toList());
    TestGateway.Reply first = gateway.get(poll("/poll", fromStart));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    // Other tests may have published more by now.
    assertThat(first.json().getJsonArray("events").size()).isGreaterThanOrEqualTo(TOPICS);
    String cursor = first.json().getString("cursor");
    assertThat(cursor.split(",")).hasSize(TOPICS);

    TestGateway.Reply again = gateway.get(poll("/poll", cursor));
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getString("cursor")).isEqualTo(cursor);

    Future<TestGateway.Reply> waiting = gateway.getAsync(poll("/poll/long", cursor) + "&timeout=30");
    gateway.awaitSubscribers(topics.get(TOPICS - 1), "long", 1);
    gateway.publish(topics.get(TOPICS - 1), new JsonObject().put("second", true));
    TestGateway.Reply answer = waiting.await(30, TimeUnit.SECONDS);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getJsonArray("events")).hasSize(1);
  }

  @Test
  void theLargestCursorTheParserTakesFitsToo() throws Exception {
    // 18-digit ids and 64-character epochs: not what this gateway hands out, but a legal cursor.
    String cursor = String.join(",", topics.stream()
      .map(t -> t + ":" + "9".repeat(18) + ":" + "e".repeat(64)).toList());
    TestGateway.Reply reply = gateway.get(poll("/poll", cursor));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().getJsonArray("resets")).hasSize(TOPICS);
  }

  @Test
  void theLargestSubscriptionFitsSseWithACursorAndWithLastEventId() throws Exception {
    String topicsParam = URLEncoder.encode(String.join(",", topics), StandardCharsets.UTF_8);
    String fromStart = String.join(",", topics.stream().map(t -> t + ":0").toList());
    SseClient sse = new SseClient(gateway.vertx, gateway.port()).open(topicsParam, fromStart);
    String lastEventId;
    try {
      sse.awaitEvents(TOPICS);
      lastEventId = sse.cursor();
      assertThat(lastEventId.split(",")).hasSize(TOPICS);
    } finally {
      sse.close();
    }
    // As a browser reconnects: the last id: (a full cursor) comes back as Last-Event-ID.
    SseClient resumed = new SseClient(gateway.vertx, gateway.port()).open(topicsParam, null, lastEventId);
    try {
      gateway.awaitSubscribers(topics.get(0), "sse", 1);
      gateway.publish(topics.get(0), new JsonObject().put("resumed", true));
      List<JsonObject> events = resumed.awaitEvents(1);
      assertThat(events.get(0).getJsonObject("data")).isEqualTo(new JsonObject().put("resumed", true));
    } finally {
      resumed.close();
    }
  }

  @Test
  void aRequestLineOverTheLimitGets414WithTheJsonError() throws Exception {
    String answer = raw("GET /poll?topics=" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: gateway\r\n\r\n");
    // The version was past the limit, so the answer cannot assume 1.1.
    assertThat(answer).matches("(?s)HTTP/1\\.[01] 414 .*");
    assertError(answer);
  }

  @Test
  void headersOverTheLimitGet431WithTheJsonError() throws Exception {
    String answer = raw("GET /sse?topics=a HTTP/1.1\r\nHost: gateway\r\nLast-Event-ID: " + "a:1,".repeat(10_000)
      + "\r\n\r\n");
    assertThat(answer).matches("(?s)HTTP/1\\.[01] 431 .*");
    assertError(answer);
  }

  /** Topics, cursor and an 8 KiB token, all percent-encoded as a careful client would. */
  private static String poll(String path, String cursor) {
    return path + "?topics=" + URLEncoder.encode(String.join(",", topics), StandardCharsets.UTF_8)
      + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&token=" + "t".repeat(8_000);
  }

  private static void assertError(String answer) {
    assertThat(answer).containsIgnoringCase("content-type: application/json");
    JsonObject body = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(body.getJsonObject("error").getString("code")).isEqualTo("invalid_parameter");
  }

  /** Sends a request on a fresh connection and reads until the gateway closes it. */
  private static String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.write(buffer, 0, n);
      }
      return received.toString(StandardCharsets.UTF_8);
    }
  }
}
