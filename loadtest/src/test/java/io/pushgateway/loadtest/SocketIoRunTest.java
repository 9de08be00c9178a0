package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.target.Peer;
import io.pushgateway.loadtest.target.SocketIoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load test drives Socket.IO 4 as it drives the gateway: the pinned socket.io installed once
 * with npm, a Node server started for the run, the load test's own Engine.IO clients at once on
 * one room (long-polling, and WebSocket reached by the upgrade from long-polling), the same proxy, counters and report; SSE and
 * short polling, which Socket.IO has not, are left out.
 */
@Timeout(360)
class SocketIoRunTest {
  static final int SUBSCRIBERS = 20;
  static final int EVENTS = 20;

  @TempDir
  static Path out;
  static JsonObject doc;

  @BeforeAll
  static void run() {
    requireNode();
    Scenario scenario = new Scenario(List.of(Transport.values()), SUBSCRIBERS, 10, 64, 2, 1, 250, true,
      NetworkProfile.NONE, false, true);
    doc = new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of(), List.of(), out, System.out,
      false, false, null, false, RadioModel.load("lte"), List.of(Peer.SOCKETIO), null), scenario, null).run();
  }

  static void requireNode() {
    if (SocketIoServer.available()) {
      return;
    }
    String message = "node and npm not found: install nodejs and npm";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  @Test
  void webSocketAndLongPollingGetEveryEventOnceInOrder() {
    JsonArray runs = doc.getJsonArray("runs");
    assertThat(runs).extracting(r -> ((JsonObject) r).getString("transport")).containsExactly("ws", "long");
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.getJsonObject(i);
      String transport = r.getString("transport");
      assertThat(r.getString("target")).isEqualTo("socketio");
      assertThat(r.getLong("deliveries")).as(transport).isEqualTo(SUBSCRIBERS * (long) EVENTS);
      JsonObject integrity = r.getJsonObject("integrity");
      assertThat(integrity.getLong("lost")).as(transport + " lost").isZero();
      assertThat(integrity.getLong("duplicated")).as(transport + " duplicated").isZero();
      assertThat(integrity.getLong("outOfOrder")).as(transport + " out of order").isZero();
      assertThat(integrity.getLong("errors")).as(transport + " errors").isZero();
      assertThat(r.getJsonObject("wire").getDouble("bytesDownPerEvent")).as(transport).isGreaterThan(64);
      assertThat(r.getJsonObject("gateway").getLong("cpuMs")).as(transport + " server CPU").isNotNull();
    }
    assertThat(run("long").getJsonObject("wire").getLong("httpRequests")).isPositive();
    // WebSocket subscribers started on long-polling and upgraded before the window: none polls in it
    assertThat(run("ws").getJsonObject("wire").getLong("httpRequests")).isZero();
    assertThat(run("ws").getJsonObject("wire").getDouble("setupBytesPerSubscriber"))
      .isGreaterThan(run("long").getJsonObject("wire").getDouble("setupBytesPerSubscriber"));
  }

  @Test
  void theReportNamesThePeerAndItsVersion() throws Exception {
    assertThat(ConsoleTable.render(doc)).contains("ws socketio", "long socketio");
    JsonObject details = doc.getJsonObject("target").getJsonObject("peerDetails").getJsonObject("socketio");
    assertThat(details.getString("socketio")).isEqualTo(SocketIoServer.VERSION);
    assertThat(details.getString("node")).startsWith("v");
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
  }

  static JsonObject run(String transport) {
    JsonArray runs = doc.getJsonArray("runs");
    for (int i = 0; i < runs.size(); i++) {
      if (runs.getJsonObject(i).getString("transport").equals(transport)) {
        return runs.getJsonObject(i);
      }
    }
    throw new AssertionError("no " + transport + " run");
  }
}
