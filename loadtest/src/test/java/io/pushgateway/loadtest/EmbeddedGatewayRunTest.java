package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A short real run of all four transports against a gateway started in this JVM: what must hold
 * for every transport, and the relations that hold by construction. Events (2/s) are rarer than
 * short polls (every 250 ms), so about half the polls come back empty. Nothing here depends on
 * how fast the machine is: the assertions are on counts, never on measured latency.
 */
@Timeout(90)
class EmbeddedGatewayRunTest {
  static final long POLL_INTERVAL_MS = 250;
  static final int EVENTS = 10;
  static final int SUBSCRIBERS = 20;

  @TempDir
  static Path out;
  static JsonObject result;

  @BeforeAll
  static void runLoadTest() {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario scenario = new Scenario(List.of(Transport.values()), SUBSCRIBERS, 2, 64, 5, 1, POLL_INTERVAL_MS,
        false, NetworkProfile.NONE, false, true);
      LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()),
        OptionalLong.empty(), List.of(), List.of(), out, System.out);
      result = new LoadTest(options, scenario, null).run();
    }
  }

  static JsonObject run(Transport t) {
    JsonArray runs = result.getJsonArray("runs");
    for (int i = 0; i < runs.size(); i++) {
      if (runs.getJsonObject(i).getString("transport").equals(t.wireName())) {
        return runs.getJsonObject(i);
      }
    }
    throw new AssertionError("no run for " + t);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyEventOnceInOrder(Transport t) {
    JsonObject r = run(t);
    JsonObject integrity = r.getJsonObject("integrity");
    assertThat(r.getLong("deliveries")).isEqualTo(r.getJsonObject("window").getLong("expectedDeliveries"))
      .isEqualTo(SUBSCRIBERS * (long) EVENTS);
    assertThat(integrity.getLong("lost")).as("lost").isZero();
    assertThat(integrity.getLong("duplicated")).as("duplicated").isZero();
    assertThat(integrity.getLong("outOfOrder")).as("out of order").isZero();
    assertThat(integrity.getLong("idAnomalies")).as("id anomalies").isZero();
    assertThat(integrity.getLong("resets")).as("resets").isZero();
    assertThat(r.getJsonObject("latencyMs").getLong("count")).isEqualTo(SUBSCRIBERS * (long) EVENTS);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void bytesAreCountedOnTheWire(Transport t) {
    JsonObject wire = run(t).getJsonObject("wire");
    // at least the event's own JSON comes down for each delivery
    assertThat(wire.getDouble("bytesDownPerEvent")).isGreaterThan(64);
    assertThat(wire.getDouble("setupBytesPerSubscriber")).isGreaterThan(0);
    if (t.polling()) {
      assertThat(wire.getLong("httpRequests")).isPositive();
    } else {
      assertThat(wire.getLong("httpRequests")).isZero();
    }
  }

  /** Every packet carries its headers; handshakes and ACKs add packets of their own. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void packetsAreCountedWithTheirHeaders(Transport t) {
    JsonObject wire = run(t).getJsonObject("wire");
    assertThat(wire.getLong("packetsDown")).isPositive();
    assertThat(wire.getLong("ipBytesDown")).isGreaterThanOrEqualTo(wire.getLong("bytesDown") + 52 * wire.getLong("packetsDown"));
    assertThat(wire.getLong("ipBytesUp")).isGreaterThanOrEqualTo(wire.getLong("bytesUp") + 52 * wire.getLong("packetsUp"));
  }

  /** Two events a second keep an LTE radio connected all hour (its tail is 11.6 s); WiFi's short tail lets it doze. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void theRadioModelRunsOnEverySubscribersPackets(Transport t) {
    JsonObject mobile = run(t).getJsonObject("mobile");
    assertThat(mobile.getString("radio")).isEqualTo("lte");
    assertThat(mobile.getInteger("sampledSubscribers")).isEqualTo(SUBSCRIBERS);
    assertThat(mobile.getDouble("radioActiveSecondsPerHour")).isEqualTo(3600.0);
    assertThat(mobile.getDouble("energyMJPerEvent")).isCloseTo(mobile.getDouble("energyJPerHour") / 7.2,
      org.assertj.core.api.Assertions.within(0.01));
    JsonObject wifi = run(t).getJsonObject("mobileByRadio").getJsonObject("wifi");
    assertThat(wifi.getDouble("energyJPerHour")).isLessThan(mobile.getDouble("energyJPerHour") / 5);
  }

  @Test
  void shortPollingCostsMoreBytesPerEventThanWebSocketWhenEventsAreRarerThanPolls() {
    double shortBytes = run(Transport.SHORT).getJsonObject("wire").getDouble("bytesPerEvent");
    double wsBytes = run(Transport.WS).getJsonObject("wire").getDouble("bytesPerEvent");
    assertThat(shortBytes).isGreaterThan(wsBytes);
    assertThat(run(Transport.SHORT).getJsonObject("polls").getDouble("emptyShare")).isGreaterThan(0.2);
  }

  /**
   * Why long polling is quicker than short polling, held by counts rather than by timing: a long
   * poll waits for an event (the run is far shorter than its timeout), a short poll is answered
   * whenever it asks, often before anything new has come.
   */
  @Test
  void longPollsFindNothingLessOftenThanShortPolls() {
    JsonObject longPolls = run(Transport.LONG).getJsonObject("polls");
    JsonObject shortPolls = run(Transport.SHORT).getJsonObject("polls");
    assertThat(longPolls.getLong("answers")).isPositive();
    assertThat(shortPolls.getLong("empty")).isPositive();
    assertThat(longPolls.getDouble("emptyShare")).isLessThan(shortPolls.getDouble("emptyShare"));
  }

  @Test
  void resultMatchesTheDocumentedSchema() throws Exception {
    JsonObject fromDisk = new JsonObject(Files.readString(out.resolve("result.json")));
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(fromDisk)).isEmpty();
  }

  @Test
  void htmlReportIsSelfContained() throws Exception {
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("<svg", "Latency percentiles", "Bytes on the wire", "ws", "short", "Radio energy",
      "radio: energy J/hour");
    assertThat(html).doesNotContain("<script", "http://cdn", "https://");
  }
}
