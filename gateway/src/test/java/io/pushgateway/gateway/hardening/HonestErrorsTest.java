package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.api.HttpServerVerticle;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.core.TopicQuery;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Hubs;
import io.pushgateway.gateway.core.Stored;
import io.pushgateway.gateway.core.LocalEventLog;
import io.pushgateway.gateway.core.ReadRequest;
import io.pushgateway.gateway.core.ReadResult;
import io.pushgateway.gateway.core.SubscriberCounts;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.metrics.GatewayMetrics;
import io.pushgateway.gateway.testing.RawHttp;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Errors say what happened: a query that is not valid percent-encoding is the client's
 * {@code 400 invalid_parameter}, a token with a claim of the wrong type a {@code 401}; a bug is a
 * {@code 500 internal_error} logged once with its stack and request; {@code 503 overloaded} only
 * when the event log is unavailable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HonestErrorsTest {

  @TempDir
  static Path dir;

  private static TestTokens tokens;
  private static TestGateway gateway;
  private static RawHttp raw;

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig());
    tokens.bind(gateway.vertx);
    raw = new RawHttp(gateway.vertx, gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    gateway.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/poll?topics=%ZZ&cursor=t:0", "/poll?topics=a%", "/poll/long?topics=a%&timeout=1",
    "/sse?topics=%ZZ", "/api/topics/t?x=%G0", "/poll?topics=t&cursor=t%3"})
  void aQueryThatIsNotPercentEncodingIsInvalid(String uri) throws Exception {
    String token = tokens.sign("HS256", TestTokens.grants(new JsonArray().add("*"), new JsonArray()));
    RawHttp.Reply reply = raw.send("GET", uri, null, "Authorization: Bearer " + token);
    assertThat(reply.status()).as(reply.head()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_parameter");
    RawHttp.Reply ws = raw.upgrade("/ws?topics=%ZZ&token=" + token);
    assertThat(ws.status()).isEqualTo(400);
    assertThat(ws.errorCode()).isEqualTo("invalid_parameter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"exp\":\"tomorrow\"}", "{\"exp\":\"99999999999\"}", "{\"exp\":true}",
    "{\"exp\":null}", "{\"nbf\":{\"at\":1}}", "{\"iat\":[1]}", "{\"nbf\":\"0\"}"})
  void aTokenWithAMalformedClaimIsUnauthorized(String claims) throws Exception {
    JsonObject payload = new JsonObject(claims).mergeIn(TestTokens.grants(new JsonArray().add("*"), new JsonArray().add("*")));
    String token = tokens.signRaw(payload);
    for (String uri : List.of("/poll?topics=t&cursor=t:0", "/api/topics", "/poll/long?topics=t&timeout=1")) {
      RawHttp.Reply reply = raw.send("GET", uri, null, "Authorization: Bearer " + token);
      assertThat(reply.status()).as(uri + " " + reply.body()).isEqualTo(401);
      assertThat(reply.errorCode()).isEqualTo("unauthorized");
    }
    assertThat(raw.send("POST", "/api/topics/t/events", "1", "Authorization: Bearer " + token).status())
      .isEqualTo(401);
    assertThat(raw.upgrade("/ws?topics=t&token=" + token).status()).isEqualTo(401);
    assertThat(raw.send("GET", "/sse?topics=t&token=" + token, null).status()).isEqualTo(401);
  }

  @Test
  void aBugIsLoggedOnceAndAnswered500WhileAnUnavailableLogIsOverloaded() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger(io.pushgateway.gateway.http.HttpReplies.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(capture);
    try {
      GatewayConfig config = GatewayConfig.fromJson(new JsonObject().put("port", 0).put("host", "127.0.0.1"));
      HttpServerVerticle server = new HttpServerVerticle(config, new BrokenLog(), new SubscriberCounts(),
        new GatewayMetrics(), () -> true);
      vertx.deployVerticle(server).await(20, TimeUnit.SECONDS);
      try (RawHttp http = new RawHttp(vertx, server.actualPort())) {
        // A read that throws inside the route, one that fails, a list that fails: bugs.
        for (String uri : List.of("/poll?topics=t&cursor=t:0", "/poll/long?topics=t", "/api/topics")) {
          int before = logged.size();
          RawHttp.Reply reply = http.send("GET", uri, null);
          assertThat(reply.status()).as(uri).isEqualTo(500);
          assertThat(reply.errorCode()).isEqualTo("internal_error");
          assertThat(logged).hasSize(before + 1);
          LogRecord record = logged.get(before);
          assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
          assertThat(record.getMessage()).contains("GET", uri.substring(0, uri.indexOf('?') < 0 ? uri.length() : uri.indexOf('?')));
          assertThat(record.getThrown()).isInstanceOf(IllegalStateException.class).hasMessage("a bug");
        }
        // The log saying it is unavailable: overloaded, worth a retry, and no stack in the log.
        int before = logged.size();
        RawHttp.Reply unavailable = http.send("GET", "/api/topics/t", null);
        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.errorCode()).isEqualTo("overloaded");
        assertThat(logged).hasSize(before);
      }
    } finally {
      logger.removeHandler(capture);
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theLocalLogGoneIsUnavailableNotABug() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      LocalEventLog log = LocalEventLog.deploy(vertx, "gone", 10, 0, 1000, 0, topic -> true).await(10, TimeUnit.SECONDS);
      log.close().await(10, TimeUnit.SECONDS);
      Throwable failure = log.append("t", "1").map(e -> (Throwable) null)
        .recover(Future::succeededFuture).await(10, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOfSatisfying(GatewayException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** A log with a bug in its reads and its list, and a history that is unavailable. */
  private static final class BrokenLog implements EventLog {

    private final Hubs hubs = new Hubs("broken-log.events");

    @Override
    public Future<Stored> appendOnce(String topic, String dataJson, String contentType, String key) {
      return Future.failedFuture(new IllegalStateException("a bug"));
    }

    @Override
    public Future<ReadResult> read(ReadRequest request) {
      if (!request.cursor().isEmpty()) {
        throw new IllegalStateException("a bug");
      }
      return Future.failedFuture(new IllegalStateException("a bug"));
    }

    @Override
    public Future<Optional<TopicState>> state(String topic) {
      return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the event log is unavailable, retry"));
    }

    @Override
    public Future<Boolean> delete(String topic) {
      return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the event log is unavailable, retry"));
    }

    @Override
    public Future<TopicQuery.Page> topics(TopicQuery query) {
      return Future.failedFuture(new IllegalStateException("a bug"));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    @Override
    public Hubs hubs() {
      return hubs;
    }
  }
}
