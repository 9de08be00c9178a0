package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.target.NchanServer;
import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load test drives Nchan as it drives the gateway: a private nginx started for the run, the
 * four transports' own Nchan clients (WebSocket with ws+meta.nchan, EventSource, long poll,
 * interval poll) at once on one channel, the same proxy, counters and report.
 */
@Timeout(120)
class NchanRunTest {
  static final int SUBSCRIBERS = 20;
  static final int EVENTS = 20;

  @TempDir
  static Path out;
  static JsonObject doc;

  @BeforeAll
  static void run() {
    requireNchan();
    Scenario scenario = new Scenario(List.of(Transport.values()), SUBSCRIBERS, 10, 64, 2, 1, 250, true,
      NetworkProfile.NONE, false, true);
    doc = new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of(), List.of(), out, System.out,
      false, false, null, false, RadioModel.load("lte"), List.of(Peer.NCHAN), null), scenario, null).run();
  }

  static void requireNchan() {
    if (NchanServer.available()) {
      return;
    }
    String message = "nginx and its Nchan module not found: apt-get install nginx-light libnginx-mod-nchan";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  @Test
  void everyTransportGetsEveryEventOnceInOrder() {
    JsonArray runs = doc.getJsonArray("runs");
    assertThat(runs).hasSize(4);
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.getJsonObject(i);
      String transport = r.getString("transport");
      assertThat(r.getString("target")).isEqualTo("nchan");
      assertThat(r.getLong("deliveries")).as(transport).isEqualTo(SUBSCRIBERS * (long) EVENTS);
      JsonObject integrity = r.getJsonObject("integrity");
      assertThat(integrity.getLong("lost")).as(transport + " lost").isZero();
      assertThat(integrity.getLong("duplicated")).as(transport + " duplicated").isZero();
      assertThat(integrity.getLong("outOfOrder")).as(transport + " out of order").isZero();
      assertThat(integrity.getLong("errors")).as(transport + " errors").isZero();
      assertThat(r.getJsonObject("wire").getDouble("bytesDownPerEvent")).as(transport).isGreaterThan(64);
    }
  }

  @Test
  void pollsAreCountedAndTheWorkerIsMeasured() {
    JsonObject interval = run("short");
    assertThat(interval.getJsonObject("polls").getLong("answers")).isPositive();
    assertThat(interval.getJsonObject("wire").getLong("httpRequests")).isPositive();
    JsonObject server = run("ws").getJsonObject("gateway");
    assertThat(server.getLong("cpuMs")).isNotNull();
    assertThat(server.getLong("rssBytes")).isPositive();
    // a peer has no /metrics of ours and no JVM heap to read
    assertThat(server.getValue("counted")).isNull();
    assertThat(server.getValue("heapPerConnectionBytes")).isNull();
  }

  @Test
  void theReportNamesThePeer() throws Exception {
    assertThat(doc.getJsonObject("target").getJsonArray("peers").getList()).containsExactly("nchan");
    assertThat(ConsoleTable.render(doc)).contains("ws nchan", "short nchan");
    JsonObject nchan = doc.getJsonObject("target").getJsonObject("peerDetails").getJsonObject("nchan");
    assertThat(nchan.getString("nginx")).startsWith("nginx/");
    assertThat(nchan.getString("configuration")).contains("nchan_message_buffer_length 1000;");
    assertThat(Files.readString(out.resolve("report.html"))).contains("How each server is configured",
      "nchan_subscriber websocket eventsource longpoll;");
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
