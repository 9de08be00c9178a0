package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.RawWebSocket;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the gateway sends a WebSocket client that is not an event: pongs (to the {@code ping} op
 * and to Ping frames), errors and acks are held to {@code maxQueueBytes} like events, so a client
 * that asks and never reads is closed with 1013; and a close for too many rate-limited publishes
 * (1008), or for an expired token, goes out only once every accepted publish has its ack, so
 * acks always count what was stored.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketRepliesTest {

  private static final int MAX_QUEUE_BYTES = 65_536;
  /** A small receive window: a client that does not read stops taking bytes after a few KB. */
  private static final int RECEIVE_BUFFER = 8192;

  private TestGateway gateway;
  private WsClient bystander;

  @AfterEach
  void stop() throws Exception {
    if (bystander != null) {
      bystander.close();
    }
    gateway.close();
  }

  @Test
  void aClientSendingPingOpsThatNeverReadsIsClosedWith1013() throws Exception {
    startWithBystander(new JsonObject().put("maxQueueBytes", MAX_QUEUE_BYTES));
    double slowBefore = slowConsumerCloses();
    String bigRef = "r".repeat(100_000);
    try (RawWebSocket attacker = RawWebSocket.open(gateway.port(), "/ws?topics=attack", null, RECEIVE_BUFFER)) {
      gateway.awaitSubscribers("attack", "ws", 1);
      int sent = sendUntilRefused(attacker, 600, () -> attacker.sendText(
        new JsonObject().put("op", "ping").put("ref", bigRef).encode()));
      assertClosedAsSlowConsumer(attacker, slowBefore, sent);
    }
  }

  @Test
  void aClientSendingPingFramesThatNeverReadsIsClosedWith1013() throws Exception {
    // past commandRatePerConnection pings get no pong: off, so the pongs pile up against the queue bound
    startWithBystander(new JsonObject().put("maxQueueBytes", MAX_QUEUE_BYTES).put("commandRatePerConnection", 0));
    double slowBefore = slowConsumerCloses();
    byte[] payload = new byte[125]; // the most a control frame may carry (RFC 6455 §5.5)
    try (RawWebSocket attacker = RawWebSocket.open(gateway.port(), "/ws?topics=attack", null, RECEIVE_BUFFER)) {
      gateway.awaitSubscribers("attack", "ws", 1);
      // Far more pongs than the loopback's socket buffers and the queue can hold together.
      int sent = sendUntilRefused(attacker, 400_000, () -> attacker.send(RawWebSocket.PING, true, false, payload));
      assertClosedAsSlowConsumer(attacker, slowBefore, sent);
    }
  }

  @Test
  void aClientCatchingUpMayAskMeanwhileAndIsServedOnceItReads() throws Exception {
    startWithBystander(new JsonObject().put("maxQueueBytes", MAX_QUEUE_BYTES));
    String pad = "h".repeat(4000);
    int history = 900; // more than one read of the log: the queue fills and catching up waits
    for (int i = 1; i <= history; i++) {
      gateway.publish("history", new JsonObject().put("pad", pad));
    }
    try (RawWebSocket client = RawWebSocket.open(gateway.port(), "/ws?topics=history&cursor=history:0", null,
        RECEIVE_BUFFER)) {
      assertThat(client.readText().text()).contains("\"subscribed\"");
      assertThat(new JsonObject(client.readText().text()).getLong("id")).isEqualTo(1);
      // Asks while history fills its queue: the answers wait their turn instead of closing it.
      int pings = 50;
      for (int i = 0; i < pings; i++) {
        client.sendText(new JsonObject().put("op", "ping").put("ref", "p" + i).encode());
      }
      int events = 1;
      int pongs = 0;
      while (events < history || pongs < pings) {
        RawWebSocket.Frame frame = client.readText();
        assertThat(frame.opcode()).as("no close while it reads").isEqualTo(RawWebSocket.TEXT);
        JsonObject json = new JsonObject(frame.text());
        if ("pong".equals(json.getString("op"))) {
          pongs++;
        } else {
          assertThat(json.getLong("id")).isEqualTo(++events);
        }
      }
    }
  }

  @Test
  void publishesPipelinedPastTheQueueLimitWaitTheirTurnAndAreAllAcked() throws Exception {
    // Appends under way count against maxQueueBytes too: past it the client is read no further
    // until acks come back, so a pipelining client is slowed down, never dropped or refused.
    startWithBystander(new JsonObject().put("maxQueueBytes", 4096));
    int count = 2000;
    String pad = "p".repeat(1000);
    try (RawWebSocket publisher = RawWebSocket.open(gateway.port(), "/ws?topics=elsewhere", null)) {
      publisher.readText(); // subscribed
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < count; i++) {
            publisher.sendText(new JsonObject().put("op", "publish").put("topic", "piped")
              .put("data", pad).put("ref", "r" + i).encode());
          }
        } catch (IOException gone) {
          // the reader below reports what went wrong
        }
      });
      writer.start();
      for (int acks = 0; acks < count; ) {
        JsonObject frame = new JsonObject(publisher.readText().text());
        assertThat(frame.getString("op")).isEqualTo("ack");
        assertThat(frame.getString("ref")).isEqualTo("r" + acks++);
      }
      writer.join(10_000);
    }
    assertThat(gateway.get("/api/topics/piped").json().getLong("lastId")).isEqualTo(count);
  }

  @Test
  void everyAcceptedPublishIsAckedBeforeTheRateLimitClose() throws Exception {
    startWithBystander(new JsonObject().put("publishRatePerConnection", 5).put("rateLimitStrikes", 3));
    int stored = 0;
    for (int round = 0; round < 3; round++) {
      WsClient publisher = new WsClient(gateway.vertx, gateway.port()).open("elsewhere");
      try {
        for (int i = 0; i < 20; i++) {
          String ref = round + "-" + i;
          publisher.socket().writeTextMessage(new JsonObject().put("op", "publish").put("topic", "calm")
            .put("data", new JsonObject().put("ref", ref)).put("ref", ref).encode());
        }
        Eventually.check(gateway.vertx, () -> assertThat(publisher.closeCode()).isEqualTo((short) 1008));
        List<JsonObject> acks = publisher.controls().stream().filter(c -> "ack".equals(c.getString("op"))).toList();
        stored += acks.size();
        assertThat(acks).isNotEmpty();
        // Everything the gateway stored was acknowledged, and nothing else was stored.
        assertThat(gateway.get("/api/topics/calm").json().getLong("lastId")).isEqualTo(stored);
        Set<String> acked = acks.stream().map(a -> a.getString("ref")).collect(Collectors.toSet());
        List<JsonObject> events = bystander.awaitEvents(stored);
        assertThat(events.subList(stored - acks.size(), stored))
          .extracting(e -> e.getJsonObject("data").getString("ref"))
          .containsExactlyInAnyOrderElementsOf(acked);
        // The refused ones were answered rate_limited, never stored.
        assertThat(publisher.controls().stream().filter(c -> "rate_limited".equals(c.getString("code"))).count())
          .isEqualTo(3);
      } finally {
        publisher.close();
      }
    }
  }

  @Test
  void everyAcceptedPublishIsAckedBeforeTheTokenExpiryClose() throws Exception {
    String secret = "a-test-secret-that-is-long-enough-0123456789";
    gateway = TestGateway.start(new JsonObject().put("auth", true).put("jwtHmacSecret", secret).put("instances", 1));
    JWTAuth signer = JWTAuth.create(gateway.vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    JsonObject claims = new JsonObject().put("sub", "publisher").put("topics", new JsonObject()
      .put("sub", new JsonArray().add("expiring")).put("pub", new JsonArray().add("expiring")));
    JWTOptions hs256 = new JWTOptions().setAlgorithm("HS256");
    String fresh = signer.generateToken(claims, hs256); // the first one is slow: signing warms up
    String expiring = signer.generateToken(claims.copy().put("exp", System.currentTimeMillis() / 1000 + 3), hs256);
    AtomicLong acks = new AtomicLong();
    int closeCode;
    try (RawWebSocket publisher = RawWebSocket.open(gateway.port(), "/ws?topics=expiring&token=" + expiring, null)) {
      publisher.readText(); // subscribed
      // Publishes without pause until the token runs out, so the expiry finds some being appended;
      // a thousand unanswered at most: a client that lets a megabyte of acks wait unread is closed
      // as a slow consumer (1013), and this one's reader may fall behind on a busy machine.
      AtomicBoolean closed = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 1_000_000 && !closed.get(); i++) {
            while (i - acks.get() > 1_000 && !closed.get()) {
              LockSupport.parkNanos(100_000);
            }
            publisher.sendText(new JsonObject().put("op", "publish").put("topic", "expiring")
              .put("data", i).put("ref", "r" + i).encode());
          }
        } catch (IOException gone) {
          // the gateway cut the connection: nothing more to send
        }
      });
      writer.start();
      while (true) {
        RawWebSocket.Frame frame = publisher.readText();
        if (frame.opcode() == RawWebSocket.CLOSE) {
          closeCode = frame.closeCode();
          break;
        }
        if ("ack".equals(new JsonObject(frame.text()).getString("op"))) {
          acks.incrementAndGet();
        }
      }
      closed.set(true);
      writer.join(10_000);
    }
    assertThat(closeCode).isEqualTo(1008);
    TestGateway.Reply topic = gateway.request(HttpMethod.GET, "/api/topics/expiring", null, null,
      "Authorization", "Bearer " + fresh);
    assertThat(topic.json().getLong("lastId")).as("events stored").isEqualTo(acks.get());
  }

  private void startWithBystander(JsonObject config) throws Exception {
    gateway = TestGateway.start(config.put("instances", 1));
    bystander = new WsClient(gateway.vertx, gateway.port()).open("calm");
    gateway.publish("attack", "exists"); // so GET /api/topics/attack counts its subscribers
  }

  private interface Send {
    void run() throws IOException;
  }

  /**
   * Sends up to {@code max} messages without reading a byte; stops early once the gateway has
   * let go of the connection (its subscriber count drops) or refuses more bytes. Returns how many
   * went out.
   */
  private int sendUntilRefused(RawWebSocket attacker, int max, Send send) throws Exception {
    for (int sent = 0; sent < max; sent++) {
      if (sent % 500 == 499 && subscribers("attack") == 0) {
        return sent;
      }
      try {
        send.run();
      } catch (IOException refused) {
        return sent;
      }
    }
    return max;
  }

  private void assertClosedAsSlowConsumer(RawWebSocket attacker, double slowBefore, int sent) throws Exception {
    // The gateway let go of the client, counted it as a slow consumer, and serves others meanwhile.
    gateway.awaitSubscribers("attack", "ws", 0);
    Eventually.check(gateway.vertx, () -> assertThat(slowConsumerCloses()).isEqualTo(slowBefore + 1));
    gateway.publish("calm", new JsonObject().put("still", "served"));
    assertThat(bystander.awaitEvents(1).get(0).getJsonObject("data").getString("still")).isEqualTo("served");

    // What it finally reads: a bounded number of pongs, then the 1013 close, or the connection
    // cut once the close frame could not get through in time.
    int pongs = 0;
    int closeCode;
    try {
      for (RawWebSocket.Frame frame = attacker.read(); ; frame = attacker.read()) {
        if (frame.opcode() == RawWebSocket.CLOSE) {
          closeCode = frame.closeCode();
          break;
        }
        pongs++;
      }
    } catch (SocketTimeoutException silent) {
      throw new AssertionError("neither a close frame nor the end of the connection came", silent);
    } catch (IOException cut) {
      closeCode = -1;
    }
    assertThat(closeCode).isIn(1013, -1);
    assertThat(pongs).isLessThan(sent);
  }

  private long subscribers(String topic) throws Exception {
    return gateway.get("/api/topics/" + topic).json().getJsonObject("subscribers").getLong("ws");
  }

  private double slowConsumerCloses() throws Exception {
    return gateway.scrape().value("pushgateway_slow_consumer_closes_total", "transport", "ws");
  }
}
