package io.pushgateway.gateway.transport.poll;

import static io.pushgateway.gateway.testing.KeepAliveHttp.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.http.RequestHeadSizes;
import io.pushgateway.gateway.testing.KeepAliveHttp;
import io.pushgateway.gateway.testing.KeepAliveHttp.Answer;
import io.pushgateway.gateway.testing.Scrape;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Re-polls served below Vert.x (RePollShortcut), seen from a client on one kept-alive connection:
 * the first poll with a cursor sets the shortcut up, the second is approved as its template, the
 * third and later are taken below Vert.x. Their answers must be the ones Vert.x gives, byte for
 * byte in their headers; anything the template does not cover (another header, a bad cursor, an
 * expired token, a pipelined request, an upgrade) must reach the perimeter as before; the
 * connection's clocks and Vert.x's request meters must see re-polls as they see any request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RePollShortcutTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
  private static final String ORIGIN = "Origin: http://127.0.0.1";
  private static final String SHORTCUTS = "pushgateway_long_poll_shortcuts_total";

  private TestGateway gateway;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void rePollsAreTakenBelowVertxWithTheAnswersVertxGives() throws Exception {
    gateway = TestGateway.start();
    String topic = "reshort";
    gateway.publish(topic, new JsonObject().put("n", 0));
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      Answer first = http.exchange(get(poll(topic, null), ORIGIN));
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.headers()).contains("access-control-allow-origin: http://127.0.0.1");
      String cursor = first.json().getString("cursor");
      double shortcuts = metric(SHORTCUTS);
      for (int n = 1; n <= 6; n++) {
        Answer answer;
        if (n % 2 == 1) {
          // published first: answered from history at once
          gateway.publish(topic, new JsonObject().put("n", n));
          answer = http.exchange(get(poll(topic, cursor), ORIGIN));
        } else {
          // the poll waits on the hub until the event comes
          http.send(get(poll(topic, cursor), ORIGIN));
          gateway.awaitSubscribers(topic, "long", 1);
          gateway.publish(topic, new JsonObject().put("n", n));
          answer = http.read();
        }
        assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(answer.headersButLength()).as("poll " + n).isEqualTo(first.headersButLength());
        JsonArray events = answer.json().getJsonArray("events");
        assertThat(events).hasSize(1);
        assertThat(events.getJsonObject(0).getLong("id")).isEqualTo(n + 1);
        assertThat(events.getJsonObject(0).getJsonObject("data").getInteger("n")).isEqualTo(n);
        cursor = answer.json().getString("cursor");
      }
      // polls 1 and 2 with a cursor went through Vert.x (set-up, approval), 3 to 6 below it
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(4);
    }
  }

  /** A re-poll taken below Vert.x rewinds as its template asked: a topic its cursor leaves out starts with its newest. */
  @Test
  void aRePollRewindsATopicItsCursorLeavesOut() throws Exception {
    gateway = TestGateway.start();
    gateway.publish("rerewind-a", new JsonObject().put("n", 1));
    for (int n = 1; n <= 5; n++) {
      gateway.publish("rerewind-b", new JsonObject().put("n", n));
    }
    String path = "/poll/long?topics=rerewind-a,rerewind-b&rewind=rerewind-b:2&timeout=1&cursor=";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = http.exchange(get(path + "rerewind-a:1", ORIGIN)).json().getString("cursor");
      for (int n = 1; n <= 2; n++) {
        // polls that wait their second out: the last is approved as the template of its re-polls
        cursor = http.exchange(get(path + cursor, ORIGIN)).json().getString("cursor");
      }
      double shortcuts = metric(SHORTCUTS);
      Answer leftOut = http.exchange(get(path + "rerewind-a:1", ORIGIN));
      assertThat(leftOut.json().getJsonArray("events"))
        .extracting(e -> ((JsonObject) e).getString("topic") + ":" + ((JsonObject) e).getLong("id"))
        .containsExactly("rerewind-b:4", "rerewind-b:5");
      assertThat(metric(SHORTCUTS) - shortcuts).as("taken below Vert.x").isEqualTo(1);
    }
  }

  @Test
  void rePollsCountInVertxRequestMeters() throws Exception {
    gateway = TestGateway.startWithVertxMeters(new JsonObject());
    String topic = "remeters";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = http.exchange(get(poll(topic, null))).json().getString("cursor");
      double shortcuts = metric(SHORTCUTS);
      double requests = metric("vertx_http_server_requests_total", "code", "200", "method", "GET");
      for (int n = 1; n <= 5; n++) {
        gateway.publish(topic, new JsonObject().put("n", n));
        cursor = http.exchange(get(poll(topic, cursor))).json().getString("cursor");
      }
      // five polls, whichever way each was served, and the scrape that read the count before
      assertThat(metric("vertx_http_server_requests_total", "code", "200", "method", "GET") - requests).isEqualTo(6);
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(3);
    }
  }

  @Test
  void whatTheTemplateDoesNotCoverGoesThroughThePerimeter() throws Exception {
    gateway = TestGateway.start();
    String topic = "reperimeter";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = rePollsUnderWay(http, topic, 10, ORIGIN);
      double shortcuts = metric(SHORTCUTS);

      Answer foreign = http.exchange(get(poll(topic, cursor), "Origin: http://evil.example"));
      assertThat(foreign.status()).isEqualTo(403);
      assertThat(foreign.errorCode()).isEqualTo("forbidden");
      Answer badEscape = http.exchange(get(poll(topic, "%ZZ"), ORIGIN));
      assertThat(badEscape.status()).isEqualTo(400);
      assertThat(badEscape.errorCode()).isEqualTo("invalid_parameter");
      Answer badCursor = http.exchange(get(poll(topic, topic + ":x:y"), ORIGIN));
      assertThat(badCursor.status()).isEqualTo(400);
      assertThat(badCursor.errorCode()).isEqualTo("invalid_cursor");
      assertThat(metric(SHORTCUTS) - shortcuts).isZero();

      // the approved request itself is still taken below Vert.x
      gateway.publish(topic, new JsonObject().put("n", 9));
      Answer again = http.exchange(get(poll(topic, cursor), ORIGIN));
      assertThat(again.json().getJsonArray("events").getJsonObject(0).getJsonObject("data").getInteger("n")).isEqualTo(9);
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(1);
    }
  }

  @Test
  void aRePollOverTheLineLimitIsRefusedAsAnyLongLine() throws Exception {
    // one topic a subscription: a request line of about 9.6 KB at most
    JsonObject settings = new JsonObject().put("maxTopicsPerSubscription", 1);
    int maxLine = RequestHeadSizes.maxLine(GatewayConfig.fromJson(settings));
    gateway = TestGateway.start(settings);
    String topic = "relong";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = rePollsUnderWay(http, topic, 10, ORIGIN);
      // encoded spaces around a cursor entry decode to spaces the cursor's parser skips: these
      // re-polls differ from the template only in their length. The first, just within the limit,
      // comes in several reads (Vert.x serves it) and grows the connection's reads; the next whole
      String within = "%20".repeat((maxLine - 300) / 3);
      for (int n = 1; n <= 2; n++) {
        gateway.publish(topic, new JsonObject().put("n", n));
        Answer served = http.exchange(get(poll(topic, within + cursor), ORIGIN));
        assertThat(served.status()).isEqualTo(200);
        cursor = served.json().getString("cursor");
      }
      double shortcuts = metric(SHORTCUTS);
      gateway.publish(topic, new JsonObject().put("n", 3));
      Answer taken = http.exchange(get(poll(topic, within + cursor), ORIGIN));
      assertThat(taken.json().getJsonArray("events")).hasSize(1);
      cursor = taken.json().getString("cursor");
      assertThat(metric(SHORTCUTS) - shortcuts).as("a whole padded head within the limit").isEqualTo(1);

      // past the limit, in one read as well: the answer any long line gets
      Answer refused = http.exchange(get(poll(topic, "%20".repeat(maxLine / 3) + cursor), ORIGIN));
      assertThat(refused.status()).isEqualTo(414);
      assertThat(refused.errorCode()).isEqualTo("invalid_parameter");
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(1);
    }
  }

  @Test
  void anExpiredTokenEndsTheShortcut() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("auth", true).put("jwtHmacSecret", SECRET));
    JWTAuth signer = JWTAuth.create(gateway.vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    long exp = System.currentTimeMillis() / 1000 + 5;
    String token = signer.generateToken(new JsonObject().put("sub", "poller").put("exp", exp)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("expiring"))), new JWTOptions().setAlgorithm("HS256"));
    double shortcuts = metric(SHORTCUTS);
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String bearer = "Authorization: Bearer " + token;
      String cursor = http.exchange(get(poll("expiring", null), bearer)).json().getString("cursor");
      // each poll waits out its one-second timeout: the token's end comes after a few of them
      Answer answer = http.exchange(get(poll("expiring", cursor, 1), bearer));
      for (int polls = 1; answer.status() == 200 && polls < 15; polls++) {
        answer = http.exchange(get(poll("expiring", cursor, 1), bearer));
      }
      assertThat(answer.status()).isEqualTo(401);
      assertThat(answer.errorCode()).isEqualTo("unauthorized");
      assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(exp * 1000);
    }
    assertThat(metric(SHORTCUTS) - shortcuts).isPositive();
  }

  @Test
  void requestsSentWhileARePollWaitsAreAnsweredAfterIt() throws Exception {
    gateway = TestGateway.start();
    String topic = "reorder";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      String cursor = rePollsUnderWay(http, topic, 1, ORIGIN);
      double shortcuts = metric(SHORTCUTS);

      // a re-poll taken below Vert.x waits out its one second; the next request comes long before
      http.send(get(poll(topic, cursor, 1), ORIGIN));
      gateway.awaitSubscribers(topic, "long", 1);
      http.send(get("/health"));
      Answer poll = http.read();
      assertThat(poll.json().getJsonArray("events")).isEmpty();
      assertThat(http.read().json().getString("status")).isEqualTo("UP");
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(1);
      cursor = poll.json().getString("cursor");

      // two requests in one write are Vert.x's: it answers them in order too
      http.send(get(poll(topic, cursor, 1), ORIGIN) + get("/health"));
      assertThat(http.read().json().getJsonArray("events")).isEmpty();
      assertThat(http.read().json().getString("status")).isEqualTo("UP");
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(1);
    }
  }

  @Test
  void aClientThatGoesAwayReleasesItsRePoll() throws Exception {
    gateway = TestGateway.start();
    String topic = "regone";
    double shortcuts;
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      // longer than the wait below: only the connection's end can release the poll in time
      String cursor = rePollsUnderWay(http, topic, 60, ORIGIN);
      shortcuts = metric(SHORTCUTS);
      http.send(get(poll(topic, cursor, 60), ORIGIN));
      gateway.awaitSubscribers(topic, "long", 1);
    }
    gateway.awaitSubscribers(topic, "long", 0);
    assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(1);
  }

  /**
   * Answers a reader with a 4 KiB receive buffer does not take at once (about 60 kB, then about
   * 600 kB): each arrives whole, its events in order.
   */
  @Test
  void largeAnswersToASlowReaderArriveWhole() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("instances", 1));
    String topic = "relarge";
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port(), 4096)) {
      String cursor = rePollsUnderWay(http, topic, 10, ORIGIN);
      double shortcuts = metric(SHORTCUTS);
      int id = 4; // the next event's: the three set-up events were the topic's first
      for (int events : new int[] {30, 300}) {
        for (int n = 0; n < events; n++) {
          gateway.publish(topic, new JsonObject().put("n", n).put("pad", "x".repeat(2000)));
        }
        Answer answer = http.exchange(get(poll(topic, cursor, 10), ORIGIN));
        JsonArray got = answer.json().getJsonArray("events");
        assertThat(got).hasSize(events);
        for (int n = 0; n < events; n++) {
          assertThat(got.getJsonObject(n).getLong("id")).isEqualTo(id + n);
          assertThat(got.getJsonObject(n).getJsonObject("data").getInteger("n")).isEqualTo(n);
        }
        id += events;
        cursor = answer.json().getString("cursor");
      }
      assertThat(metric(SHORTCUTS) - shortcuts).isEqualTo(2);
    }
  }

  @Test
  void theHeadClockStillGuardsAConnectionThatRePolled() throws Exception {
    gateway = TestGateway.start(new JsonObject().put("requestHeadTimeoutSeconds", 1));
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      rePollsUnderWay(http, "reclock", 10, ORIGIN);
      http.send("GET /poll/long?topics=recl"); // and nothing more: a slowloris head
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void aConnectionThatRePolledCanStillUpgrade() throws Exception {
    gateway = TestGateway.start();
    try (KeepAliveHttp http = new KeepAliveHttp(gateway.port())) {
      rePollsUnderWay(http, "reupgrade", 10, ORIGIN);
      Answer upgrade = http.exchange(get("/ws?topics=reupgrade", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
      assertThat(upgrade.status()).isEqualTo(101);
      gateway.awaitSubscribers("reupgrade", "ws", 1);
    }
  }

  /**
   * Polls (each answered at once: an event was published before it) until re-polls with
   * {@code timeoutSeconds} are taken below Vert.x (one was); the cursor of the last answer.
   */
  private String rePollsUnderWay(KeepAliveHttp http, String topic, int timeoutSeconds, String... headers)
      throws Exception {
    String cursor = http.exchange(get(poll(topic, null), headers)).json().getString("cursor");
    double before = metric(SHORTCUTS);
    for (int n = 0; n < 3; n++) {
      gateway.publish(topic, new JsonObject().put("setup", n));
      cursor = http.exchange(get(poll(topic, cursor, timeoutSeconds), headers)).json().getString("cursor");
    }
    assertThat(metric(SHORTCUTS) - before).isEqualTo(1);
    return cursor;
  }

  private static String poll(String topic, String cursor) {
    return poll(topic, cursor, 10);
  }

  private static String poll(String topic, String cursor, int timeoutSeconds) {
    return "/poll/long?topics=" + topic + (cursor == null ? "" : "&cursor=" + cursor) + "&timeout=" + timeoutSeconds;
  }

  private double metric(String name, String... labels) throws Exception {
    Scrape scrape = gateway.scrape();
    assertThat(scrape.has(name, labels)).as(Scrape.key(name, labels)).isTrue();
    return scrape.value(name, labels);
  }
}
