package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.report.ConsoleTable;
import io.pushgateway.loadtest.target.NchanServer;
import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
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
  @TempDir
  static Path out;
  static JsonObject doc;

  @BeforeAll
  static void run() {
    doc = PeerRun.run(Peer.NCHAN, NchanServer.available(), "apt-get install nginx-light libnginx-mod-nchan", out);
  }

  @Test
  void everyTransportGetsEveryEventOnceInOrder() {
    assertThat(doc.getJsonArray("runs")).hasSize(4);
    PeerRun.assertEveryEventOnceInOrder(doc, Peer.NCHAN);
  }

  @Test
  void pollsAreCountedAndTheServerIsMeasured() {
    JsonObject interval = PeerRun.runOf(doc, "short");
    assertThat(interval.getJsonObject("polls").getLong("answers")).isPositive();
    assertThat(interval.getJsonObject("wire").getLong("httpRequests")).isPositive();
    JsonObject server = PeerRun.runOf(doc, "ws").getJsonObject("gateway");
    assertThat(server.getLong("rssBytes")).isPositive();
    // a peer has no /metrics of ours and no JVM heap to read
    assertThat(server.getValue("counted")).isNull();
    assertThat(server.getValue("heapPerConnectionBytes")).isNull();
  }

  @Test
  void theReportNamesThePeerAndHowItRan() throws Exception {
    assertThat(doc.getJsonObject("target").getJsonArray("peers").getList()).containsExactly("nchan");
    assertThat(ConsoleTable.render(doc)).contains("ws nchan", "short nchan");
    JsonObject nchan = doc.getJsonObject("target").getJsonObject("peerDetails").getJsonObject("nchan");
    assertThat(nchan.getString("nginx")).startsWith("nginx/");
    assertThat(nchan.getString("configuration")).contains("nchan_message_buffer_length 1000;");
    assertThat(Files.readString(out.resolve("report.html"))).contains("How each server is configured",
      "nchan_subscriber websocket eventsource longpoll;");
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
  }
}
