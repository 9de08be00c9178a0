package io.pushgateway.gateway.hardening;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.Scrape;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a client that does not read its answers can make the gateway hold, as an attacker would
 * try it. Pipelined requests (RFC 9112 §9.3) are answered in order, and only as fast as the client
 * takes the answers, so a few kilobytes of requests never read cannot make the gateway build
 * theirs; and one poll's answer is at most {@code maxQueueBytes} (beyond its first event), as much
 * as a slow push connection may have queued, however many events it asks for.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreadAnswersTest {


  @RegisterExtension
  static final TestGateway gateway = TestGateway.forAllTests();

  @Test
  void pollsPipelinedByAClientThatDoesNotReadAreAnsweredOnlyAsItReads() throws Exception {
    String topic = "pipelined-polls";
    int polls = 300;
    int perAnswer = 40;
    String data = "x".repeat(8_000);
    for (int i = 0; i < polls + perAnswer; i++) {
      gateway.publish(topic, new JsonObject().put("data", data));
    }
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < polls; i++) {
      requests.append("GET /poll?topics=").append(topic).append("&cursor=").append(topic).append(':').append(i)
        .append("&limit=").append(perAnswer).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    double before = shortPollsAnswered();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(requests.toString().getBytes(ISO_8859_1));

      // Each answer is about 320 KB, all of them 96 MB: built as soon as they could be, they were
      // all built within this window. The kernel's buffers between the two ends hold a dozen.
      Eventually.check(gateway.vertx, () -> assertThat(shortPollsAnswered() - before).isPositive());
      long windowEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < windowEnds) {
        assertThat(shortPollsAnswered() - before).as("answers built for a client that reads none")
          .isLessThan(polls / 3);
        gateway.vertx.timer(100).await(1, TimeUnit.SECONDS);
      }
      assertThat(gateway.get("/health").status()).as("another client is served meanwhile").isEqualTo(200);

      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 0; i < polls; i++) {
        Answer answer = Answer.read(in);
        assertThat(answer.status()).isEqualTo(200);
        JsonArray events = new JsonObject(answer.body()).getJsonArray("events");
        assertThat(events.size()).isEqualTo(perAnswer);
        assertThat(events.getJsonObject(0).getLong("id")).as("answer %d, in its request's order", i).isEqualTo(i + 1);
      }
    }
    assertThat(shortPollsAnswered() - before).isEqualTo(polls);
  }

  @Test
  void pipelinedPublishesWithBodiesOfEitherFramingAreTakenAndAnsweredInOrder() throws Exception {
    String topic = "pipelined-publishes";
    int publishes = 500;
    ByteArrayOutputStream requests = new ByteArrayOutputStream();
    for (int i = 0; i < publishes; i++) {
      String body = "{\"n\":" + i + "}";
      String head = "POST /api/topics/" + topic + "/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
      String request = i % 2 == 0
        ? head + "Content-Length: " + body.length() + "\r\n\r\n" + body
        : head + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
      requests.writeBytes(request.getBytes(ISO_8859_1));
    }
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(requests.toByteArray());
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 0; i < publishes; i++) {
        Answer answer = Answer.read(in);
        assertThat(answer.status()).isEqualTo(201);
        assertThat(new JsonObject(answer.body()).getLong("id")).isEqualTo(i + 1);
      }
    }
    JsonArray events = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":0&limit=" + publishes).json()
      .getJsonArray("events");
    for (int i = 0; i < publishes; i++) {
      assertThat(events.getJsonObject(i).getJsonObject("data").getInteger("n")).isEqualTo(i);
    }
  }

  @Test
  void aRequestPipelinedBehindAWaitingLongPollIsAnsweredAfterIt() throws Exception {
    String topic = "pipelined-behind-long-poll";
    gateway.publish(topic, new JsonObject().put("n", 0));
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /poll/long?topics=" + topic + "&cursor=" + topic + ":1&timeout=30 HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /poll?topics=" + topic + "&cursor=" + topic + ":0 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(ISO_8859_1));
      gateway.awaitSubscribers(topic, "long", 1);
      gateway.publish(topic, new JsonObject().put("n", 1));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      JsonArray first = new JsonObject(Answer.read(in).body()).getJsonArray("events");
      JsonArray second = new JsonObject(Answer.read(in).body()).getJsonArray("events");
      assertThat(first.size()).as("the long poll's answer first: the new event").isEqualTo(1);
      assertThat(first.getJsonObject(0).getLong("id")).isEqualTo(2);
      assertThat(second.size()).as("then the short poll's, read after it: both events").isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/poll", "/poll/long"})
  void aPollAnswerEndsBeforeMaxQueueBytesAndTheRestFollowInOrder(String path) throws Exception {
    String[] topics = {"sized" + path.length() + "-a", "sized" + path.length() + "-b"};
    String data = "y".repeat(60_000);
    for (String topic : topics) {
      for (int n = 1; n <= 12; n++) {
        gateway.publish(topic, new JsonObject().put("n", n).put("data", data));
      }
    }
    // 24 events of about 60 kB, 1.4 MB: 17 of them are within the default 1 MiB
    String cursor = topics[0] + ":0," + topics[1] + ":0";
    List<String> received = new ArrayList<>();
    List<Integer> answers = new ArrayList<>();
    boolean more = true;
    while (more && answers.size() < 5) {
      TestGateway.Reply reply = gateway.get(path + "?topics=" + topics[0] + "," + topics[1] + "&cursor=" + cursor
        + "&limit=1000");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body().length()).isLessThan(1_048_576 + 200);
      JsonObject answer = reply.json();
      JsonArray events = answer.getJsonArray("events");
      answers.add(events.size());
      events.forEach(e -> received.add(((JsonObject) e).getString("topic") + ":" + ((JsonObject) e).getLong("id")));
      cursor = answer.getString("cursor");
      more = answer.getBoolean("more");
    }
    assertThat(answers).containsExactly(17, 7);
    List<String> expected = new ArrayList<>();
    for (String topic : topics) {
      for (int n = 1; n <= 12; n++) {
        expected.add(topic + ":" + n);
      }
    }
    assertThat(received).as("each event once, in order").isEqualTo(expected);
  }

  @Test
  void anEventLargerThanMaxQueueBytesIsAnsweredAlone() throws Exception {
    String topic = "sized-binary";
    byte[] bytes = new byte[1_500_000];
    new java.util.Random(7).nextBytes(bytes);
    assertThat(gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events", Buffer.buffer(bytes),
      "application/octet-stream").status()).isEqualTo(201);
    gateway.publish(topic, new JsonObject().put("n", 2));
    JsonObject first = gateway.get("/poll?topics=" + topic + "&cursor=" + topic + ":0").json();
    assertThat(first.getJsonArray("events")).hasSize(1);
    assertThat(first.getJsonArray("events").getJsonObject(0).getString("data"))
      .isEqualTo(java.util.Base64.getEncoder().encodeToString(bytes));
    assertThat(first.getBoolean("more")).isTrue();
    JsonObject second = gateway.get("/poll?topics=" + topic + "&cursor=" + first.getString("cursor")).json();
    assertThat(second.getJsonArray("events").getJsonObject(0).getLong("id")).isEqualTo(2);
    assertThat(second.getBoolean("more")).isFalse();
  }

  private static double shortPollsAnswered() throws Exception {
    Scrape scrape = gateway.scrape();
    assertThat(scrape.has("pushgateway_polls_total", "result", "events", "transport", "short"))
      .as("the short polls' counter").isTrue();
    return scrape.value("pushgateway_polls_total", "result", "events", "transport", "short");
  }

  /** One HTTP/1.1 answer with a Content-Length, read off a pipelined connection. */
  private record Answer(int status, String body) {
    static Answer read(InputStream in) throws IOException {
      List<String> head = new ArrayList<>();
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        head.add(line);
      }
      int length = head.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith("content-length:"))
        .map(h -> Integer.parseInt(h.substring(h.indexOf(':') + 1).trim())).findFirst().orElseThrow();
      return new Answer(Integer.parseInt(head.get(0).split(" ")[1]), new String(in.readNBytes(length), ISO_8859_1));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("the connection closed within an answer's head");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }
  }
}
