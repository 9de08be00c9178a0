package io.pushgateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.CuttingProxy;
import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario push-client.js runs in Chromium (MobileScenarioBrowserTest), run against the Java
 * client: 60 s at 10 events/s through a proxy that cuts every link every 5 s, refuses WebSocket
 * upgrades for 15 s, with tokens that expire every 5 s. Every client (auto and each transport)
 * gets every event once, in order, refreshes at least ten times and never loses a connection to
 * its token; a token refused without a supplier ends the client once.
 */
class MobileScenarioTest {

  private static final int SECONDS = 60;
  private static final int RATE = 10;

  @TempDir
  static Path dir;

  private static TestGateway gateway;
  private static TestTokens tokens;
  private static CuttingProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.create(dir);
    gateway = TestGateway.start(tokens.gatewayConfig());
    tokens.bind(gateway.vertx);
    proxy = CuttingProxy.start(gateway.vertx, gateway.port());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    gateway.close();
  }

  private static String token(int lifetimeSeconds) {
    return tokens.signRaw(new JsonObject().put("sub", "android")
      .put("exp", System.currentTimeMillis() / 1000 + lifetimeSeconds)
      .put("topics", new JsonObject().put("sub", new JsonArray().add("scenario.*")).put("pub", new JsonArray())));
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void nothingLostDuplicatedOrReorderedThroughCutsRefusedUpgradesAndExpiringTokens() throws Exception {
    Map<Transport, Recorder> recorders = new LinkedHashMap<>();
    List<PushClient> clients = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      Recorder recorder = new Recorder();
      recorders.put(transport, recorder);
      PushClient client = PushClient.builder(proxy.url()).topics("scenario." + transport.label()).transport(transport)
        .token(token(5)).tokenSupplier(() -> CompletableFuture.supplyAsync(() -> token(5)))
        .pollInterval(Duration.ofSeconds(1)).listener(recorder).build();
      clients.add(client);
      client.connect();
    }
    try {
      for (Recorder recorder : recorders.values()) {
        recorder.await("open", () -> !recorder.opens.isEmpty());
      }
      String publisher = tokens.publisher();
      long started = System.nanoTime();
      int events = SECONDS * RATE;
      for (int i = 1; i <= events; i++) {
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (i % (5 * RATE) == 0) {
          proxy.cutAll();
        }
        proxy.refuseWebSockets(elapsed >= 20_000 && elapsed < 35_000);
        for (Transport transport : Transport.values()) {
          gateway.publishAs(publisher, "scenario." + transport.label(), new JsonObject().put("n", i));
        }
        long wait = TimeUnit.NANOSECONDS.toMillis(started + TimeUnit.MILLISECONDS.toNanos(i * 1000L / RATE)
          - System.nanoTime());
        if (wait > 0) {
          gateway.vertx.timer(wait).await(5, TimeUnit.SECONDS);
        }
      }
      proxy.refuseWebSockets(false);
      for (int c = 0; c < clients.size(); c++) {
        Transport transport = Transport.values()[c];
        Recorder recorder = recorders.get(transport);
        recorder.await(transport + ": every event", () -> recorder.events.size() >= events, Duration.ofSeconds(60));
        assertThat(recorder.ids()).as(transport + ": once each, in order").containsExactlyElementsOf(PushClientTest.range(1, events));
        Stats stats = clients.get(c).stats();
        assertThat(stats.refreshes).as(transport + " refreshes").isGreaterThanOrEqualTo(10);
        assertThat(recorder.disconnects).as(transport + ": no connection lost to a token")
          .noneMatch(reason -> reason.contains("token"));
        assertThat(recorder.unauthorized).isEmpty();
      }
      assertThat(recorders.get(Transport.AUTO).opens).as("auto fell back and came back").contains(Transport.SSE)
        .endsWith(Transport.WS);
      // back within a second of a cut (the forced WebSocket cannot while upgrades are refused)
      List<Long> gaps = recorders.values().stream().flatMap(r -> r.reconnectGaps().stream()).sorted().toList();
      long median = gaps.get(gaps.size() / 2);
      System.out.println("Java client reconnects after a cut: " + gaps.size() + ", median " + median + " ms, max "
        + gaps.get(gaps.size() - 1) + " ms");
      assertThat(median).as("median reconnect after a cut, ms").isLessThan(1000);
      assertThat(proxy.refusedUpgrades()).isPositive();
    } finally {
      clients.forEach(PushClient::close);
    }
  }

  /**
   * A refresh that lands while the WebSocket is still opening has no connection to go to; the
   * connection, opened with the old token, gets the new one as soon as it is open, so it is not
   * closed when the old one expires.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aTokenRefreshedWhileTheWebSocketOpensIsHandedToItOnceOpen() throws Exception {
    Recorder recorder = new Recorder();
    String first = token(4);
    long firstExpiresAt = System.currentTimeMillis() / 1000 * 1000 + 4000;
    proxy.holdWebSockets(true);
    PushClient client = PushClient.builder(proxy.url()).topics("scenario.held").transport(Transport.WS)
      .token(first).tokenSupplier(() -> CompletableFuture.completedFuture(token(60))).listener(recorder).build();
    try {
      client.connect();
      Eventually.check(gateway.vertx, () -> assertThat(proxy.heldWebSockets()).as("handshakes held").isEqualTo(1));
      client.refreshToken().get(5, TimeUnit.SECONDS);
      proxy.holdWebSockets(false);
      recorder.await("open", () -> recorder.opens.size() == 1);
      // the first token's end, when the gateway closes a connection still holding it
      Eventually.check(gateway.vertx,
        () -> assertThat(System.currentTimeMillis()).as("past the first token's end").isGreaterThan(firstExpiresAt + 1000));
      gateway.publishAs(tokens.publisher(), "scenario.held", new JsonObject().put("n", 1));
      recorder.await("the event, on the same connection", () -> recorder.events.size() == 1);
      assertThat(recorder.disconnects).isEmpty();
      assertThat(recorder.opens).hasSize(1);
    } finally {
      proxy.holdWebSockets(false);
      client.close();
    }
  }


  /**
   * A user's tokens revoked mid-stream ({@code POST /api/revocations}): each client's connection
   * ends (WebSocket 1008, the SSE stream, a poll's 401), it asks its supplier for a token issued
   * after the revocation and goes on from its cursor: every event once, in order.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aRevokedTokenIsReplacedFromTheSupplierAndNothingIsLost() throws Exception {
    Map<Transport, Recorder> recorders = new LinkedHashMap<>();
    List<PushClient> clients = new ArrayList<>();
    long now = System.currentTimeMillis() / 1000;
    for (Transport transport : Transport.values()) {
      Recorder recorder = new Recorder();
      recorders.put(transport, recorder);
      String topic = "scenario.revoked-" + transport.label();
      JsonObject claims = new JsonObject().put("sub", "revoked-" + transport.label()).put("exp", now + 600)
        .put("topics", new JsonObject().put("sub", new JsonArray().add(topic)).put("pub", new JsonArray()));
      // from before the topic's first event: a WebSocket is open at its upgrade, maybe before the
      // gateway subscribed it, and this test is about the revocation, not about "now"
      PushClient client = PushClient.builder(gateway.url()).topics(topic).transport(transport).cursor(topic + ":0")
        .token(tokens.signRaw(claims.copy().put("iat", now - 30)))
        .tokenSupplier(() -> CompletableFuture.completedFuture(
          tokens.signRaw(claims.copy().put("iat", System.currentTimeMillis() / 1000))))
        .pollInterval(Duration.ofSeconds(1)).listener(recorder).build();
      clients.add(client);
      client.connect();
    }
    try {
      String admin = tokens.signRaw(new JsonObject().put("sub", "ops").put("admin", true).put("exp", now + 600));
      for (int i = 1; i <= 6; i++) {
        if (i == 4) {
          for (Transport transport : Transport.values()) {
            assertThat(gateway.request(io.vertx.core.http.HttpMethod.POST, "/api/revocations",
              io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("sub", "revoked-" + transport.label()).encode()),
              "application/json", "Authorization", "Bearer " + admin).status()).isEqualTo(200);
          }
        }
        for (Transport transport : Transport.values()) {
          gateway.publishAs(tokens.publisher(), "scenario.revoked-" + transport.label(), new JsonObject().put("n", i));
        }
        if (i == 3) {
          for (Recorder recorder : recorders.values()) {
            recorder.await("the first three events", () -> recorder.events.size() >= 3);
          }
        }
      }
      for (int c = 0; c < clients.size(); c++) {
        Transport transport = Transport.values()[c];
        Recorder recorder = recorders.get(transport);
        recorder.await(transport + ": every event", () -> recorder.events.size() >= 6, Duration.ofSeconds(30));
        assertThat(recorder.ids()).as(transport + ": once each, in order").containsExactlyElementsOf(PushClientTest.range(1, 6));
        assertThat(clients.get(c).stats().refreshes).as(transport + " refreshes").isPositive();
        assertThat(recorder.unauthorized).isEmpty();
      }
    } finally {
      clients.forEach(PushClient::close);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void withoutASupplierARefusedTokenEndsTheClientOnce() throws Exception {
    Recorder recorder = new Recorder();
    PushClient client = PushClient.builder(gateway.url()).topics("scenario.late").transport(Transport.LONG)
      .token(token(-5)).listener(recorder).build();
    client.connect();
    recorder.await("unauthorized", () -> recorder.closes == 1);
    assertThat(recorder.unauthorized).hasSize(1);
    client.close(); // closed already: nothing more
    assertThat(recorder.closes).isEqualTo(1);
  }
}
