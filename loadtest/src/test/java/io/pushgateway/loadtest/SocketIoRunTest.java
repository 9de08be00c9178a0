package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.target.Peer;
import io.pushgateway.loadtest.target.SocketIoServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load test drives Socket.IO 4 as it drives the gateway: the pinned socket.io installed once
 * with npm, a Node server started for the run, the load test's own Engine.IO clients at once on
 * one room (long-polling, and WebSocket reached by the upgrade from long-polling), the same proxy,
 * counters and report; SSE and short polling, which Socket.IO has not, are left out.
 */
@Timeout(360)
class SocketIoRunTest {
  @TempDir
  static Path out;
  static JsonObject doc;

  @BeforeAll
  static void run() {
    doc = PeerRun.run(Peer.SOCKETIO, SocketIoServer.available(), "install nodejs and npm", out);
  }

  @Test
  void webSocketAndLongPollingGetEveryEventOnceInOrder() {
    assertThat(doc.getJsonArray("runs")).extracting(r -> ((JsonObject) r).getString("transport"))
      .containsExactly("ws", "long");
    PeerRun.assertEveryEventOnceInOrder(doc, Peer.SOCKETIO);
    JsonObject ws = PeerRun.runOf(doc, "ws").getJsonObject("wire");
    JsonObject polling = PeerRun.runOf(doc, "long").getJsonObject("wire");
    assertThat(polling.getLong("httpRequests")).isPositive();
    // WebSocket subscribers started on long-polling and upgraded before the window: none polls in it
    assertThat(ws.getLong("httpRequests")).isZero();
    assertThat(ws.getDouble("setupBytesPerSubscriber")).isGreaterThan(polling.getDouble("setupBytesPerSubscriber"));
  }

  @Test
  void aPhoneIsOneSubscribersSocketNotThePollingLinksItLeftIdle() {
    JsonObject ws = PeerRun.runOf(doc, "ws").getJsonObject("mobile");
    assertThat(ws.getInteger("sampledSubscribers")).isEqualTo(PeerRun.SUBSCRIBERS);
    // an event every 100 ms keeps an LTE radio out of idle all the time
    assertThat(ws.getDouble("radioActiveSecondsPerHour")).isGreaterThan(3_000.0);
  }

  @Test
  void theReportNamesThePeerAndItsVersion() throws Exception {
    assertThat(ConsoleTable.render(doc)).contains("ws socketio", "long socketio");
    JsonObject details = doc.getJsonObject("target").getJsonObject("peerDetails").getJsonObject("socketio");
    assertThat(details.getString("socketio")).isEqualTo(SocketIoServer.VERSION);
    assertThat(details.getString("node")).startsWith("v");
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
  }
}
