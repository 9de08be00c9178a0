package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where one request ends and the next begins (RFC 9112 §6): a request whose body length a proxy in
 * front and the gateway could read differently is refused and its connection closed, so nothing
 * can be smuggled behind it; a body whose chunked framing breaks is answered before the connection
 * closes; and a client that breaks off its body is the client's doing, never an error in the log.
 * Written byte for byte on plain sockets, as an attacker would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageFramingTest {

  private static final int READ_TIMEOUT_MILLIS = 10_000;
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

  private static TestGateway gateway;
  private final List<LogRecord> errorsLogged = new CopyOnWriteArrayList<>();
  private final Handler errorLog = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errorsLogged.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @BeforeEach
  void watchTheLog() {
    Logger.getLogger("").addHandler(errorLog);
  }

  @AfterEach
  void stopWatching() {
    Logger.getLogger("").removeHandler(errorLog);
  }

  static Stream<Arguments> ambiguousHeads() {
    String publish = "POST /api/topics/%s/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    // a chunked body that ends at once, then a request a proxy reading Content-Length would take as body
    String smuggled = "0\r\n\r\nPOST /api/topics/smuggled/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      + "Content-Length: 7\r\n\r\n{\"s\":1}";
    return Stream.of(
      Arguments.of("Content-Length and Transfer-Encoding",
        publish + "Content-Length: " + smuggled.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled),
      Arguments.of("Transfer-Encoding and Content-Length",
        publish + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + smuggled),
      Arguments.of("chunked not the final coding", publish + "Transfer-Encoding: chunked, identity\r\n\r\n" + smuggled),
      Arguments.of("a coding the gateway does not know", publish + "Transfer-Encoding: gzip, chunked\r\n\r\n" + smuggled),
      Arguments.of("a misspelt coding", publish + "Transfer-Encoding: xchunked\r\n\r\n" + smuggled),
      Arguments.of("Transfer-Encoding twice", publish + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled),
      Arguments.of("Transfer-Encoding in HTTP/1.0",
        publish.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n" + smuggled),
      Arguments.of("two Host headers", "GET /poll?topics=a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ambiguousHeads")
  void aHeadWhoseBodyLengthCouldBeReadTwoWaysIsRefusedAndItsConnectionClosed(String what, String request) throws Exception {
    String topic = "framing-" + Integer.toHexString(what.hashCode());
    Exchange exchange = exchange(request.formatted(topic));
    assertThat(exchange.statuses()).as("one answer, nothing behind it").containsExactly(400);
    assertThat(exchange.text()).contains("\"code\":\"invalid_parameter\"").contains("RFC 9112")
      .containsIgnoringCase("connection: close");
    assertThat(exchange.closedByServer()).as("closed after the answer").isTrue();
    assertThat(gateway.get("/api/topics/" + topic).status()).as("nothing published").isEqualTo(404);
    assertThat(gateway.get("/api/topics/smuggled").status()).as("nothing smuggled").isEqualTo(404);
    assertThat(errorsLogged).isEmpty();
  }

  @Test
  void theMetricsPortHoldsToTheSameRules() throws Exception {
    int metricsPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    try (TestGateway scraped = TestGateway.start(new JsonObject().put("metricsPort", metricsPort))) {
      String smuggled = "0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
      Exchange exchange = exchange(metricsPort, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + smuggled.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled);
      assertThat(exchange.statuses()).as("one answer, nothing behind it").containsExactly(400);
      assertThat(exchange.closedByServer()).isTrue();
      assertThat(exchange(metricsPort, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").statuses())
        .containsExactly(200);
    }
  }

  @Test
  void aChunkedPublishWithTrailersIsTakenAndItsConnectionServesTheNextRequest() throws Exception {
    String request = "POST /api/topics/framing-chunked/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"n\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: yes\r\n\r\n"
      + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    Exchange exchange = exchange(request);
    assertThat(exchange.statuses()).containsExactly(201, 200);
    JsonObject topic = gateway.get("/api/topics/framing-chunked").json();
    assertThat(topic.getLong("lastId")).isEqualTo(1);
  }

  static Stream<Arguments> brokenChunks() {
    return Stream.of(
      Arguments.of("a chunk size over 64 bits", "fffffffffffffffff\r\n{\"n\":1}\r\n0\r\n\r\n"),
      Arguments.of("a chunk size that is not hex", "zz\r\n{\"n\":1}\r\n0\r\n\r\n"),
      Arguments.of("a chunk longer than its size", "2\r\n{\"n\":1}\r\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenChunks")
  void aBodyWhoseChunkedFramingBreaksIsAnsweredThenItsConnectionClosed(String what, String chunks) throws Exception {
    String request = "POST /api/topics/framing-broken/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n" + chunks + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    Exchange exchange = exchange(request);
    assertThat(exchange.statuses()).as("one answer, nothing behind it").containsExactly(400);
    assertThat(exchange.text()).contains("\"code\":\"invalid_parameter\"").contains("chunked framing");
    assertThat(exchange.closedByServer()).isTrue();
    assertThat(gateway.get("/api/topics/framing-broken").status()).isEqualTo(404);
    assertThat(gateway.get("/health").status()).as("still serving").isEqualTo(200);
    assertThat(errorsLogged).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /health HTTP/2.0\r\nHost: x\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "GET /health HTTP/1.2\r\nHost: x\r\n\r\n", "GET /health HTTP/3.0\r\nHost: x\r\n\r\n"})
  void anotherHttpVersionIsAnswered505ThenItsConnectionClosed(String request) throws Exception {
    Exchange exchange = exchange(request);
    assertThat(exchange.statuses()).containsExactly(505);
    assertThat(exchange.text()).contains("\"code\":\"invalid_parameter\"").contains("is not spoken here");
    assertThat(exchange.closedByServer()).isTrue();
    assertThat(errorsLogged).isEmpty();
  }

  @Test
  void anExpectationOtherThanContinueIsAnsweredInTheProtocolsFormat() throws Exception {
    Exchange exchange = exchange("POST /api/topics/framing-expect/events HTTP/1.1\r\nHost: x\r\n"
      + "Content-Type: application/json\r\nContent-Length: 7\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n{\"n\":1}");
    assertThat(exchange.statuses()).containsExactly(417);
    assertThat(exchange.text()).contains("\"code\":\"invalid_parameter\"").contains("100-continue");
    assertThat(errorsLogged).isEmpty();
  }

  @Test
  void aClientThatBreaksOffItsBodyIsCountedNotLoggedAsAnError() throws Exception {
    double before = rejectedInvalidParameter();
    for (String expect : new String[] {"", "Expect: 100-continue\r\n"}) {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        socket.getOutputStream().write(("POST /api/topics/framing-gone/events HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100\r\n" + expect + "\r\n{\"n\":").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        if (!expect.isEmpty()) {
          socket.setSoTimeout(READ_TIMEOUT_MILLIS);
          assertThat(new String(socket.getInputStream().readNBytes(25), StandardCharsets.US_ASCII))
            .startsWith("HTTP/1.1 100 Continue");
        }
      }
    }
    Eventually.check(gateway.vertx, () -> assertThat(rejectedInvalidParameter()).isEqualTo(before + 2));
    assertThat(gateway.get("/api/topics/framing-gone").status()).isEqualTo(404);
    assertThat(errorsLogged).isEmpty();
  }

  private static double rejectedInvalidParameter() throws Exception {
    return gateway.scrape().sum("pushgateway_rejected_requests_total", "code", "invalid_parameter");
  }

  /** What the server sent back on one connection, and whether it closed that connection itself. */
  private record Exchange(String text, boolean closedByServer) {
    List<Integer> statuses() {
      Matcher status = STATUS.matcher(text);
      List<Integer> found = new CopyOnWriteArrayList<>();
      while (status.find()) {
        found.add(Integer.parseInt(status.group(1)));
      }
      return found;
    }
  }

  private static Exchange exchange(String request) throws Exception {
    return exchange(gateway.port(), request);
  }

  /** Writes {@code request} as it is, then reads until the server closes or goes quiet. */
  private static Exchange exchange(int port, String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          received.write(buffer, 0, n);
        }
        return new Exchange(received.toString(StandardCharsets.UTF_8), true);
      } catch (SocketTimeoutException quiet) {
        return new Exchange(received.toString(StandardCharsets.UTF_8), false);
      }
    }
  }
}
