package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.PayloadKind;
import io.pushgateway.loadtest.client.SubscriberFormat;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.radio.RadioModel;
import io.pushgateway.loadtest.target.Peer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format compact}: every transport's subscribers ask for the compact format and every
 * event still arrives once, with the generator's own clients and with the project's Java client;
 * on the push transports each event costs fewer bytes on the wire than in the same run in the
 * default format. {@code --format json+delta} and {@code compact+delta}: they ask for deltas too,
 * and with a payload that repeats each event costs fewer bytes on every transport.
 */
@Timeout(300)
class CompactFormatRunTest {

  private static final Scenario SCENARIO = new Scenario(List.of(Transport.values()), 10, 4, 64, 3, 1, 500, false,
    NetworkProfile.NONE, false, true);
  private static final Scenario REPEATED = new Scenario(List.of(Transport.values()), 10, 4, 64, 3, 1, 500, false,
    NetworkProfile.NONE, false, true, PayloadFill.REPEAT, PayloadKind.TEXT, 1);

  @Test
  void theCompactFormatLosesNothingAndCostsFewerBytesPerEvent(@TempDir Path out) {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Scenario push = SCENARIO.withTransports(List.of(Transport.WS, Transport.SSE));
      Map<String, Double> jsonBytes = downPerEvent(run(gateway, out.resolve("json"), push, false,
        SubscriberFormat.JSON), "json");
      Map<String, Double> compactBytes = downPerEvent(run(gateway, out.resolve("compact"), SCENARIO, false,
        SubscriberFormat.COMPACT), "compact");
      for (String transport : List.of("ws", "sse")) {
        // one connection each: the difference is the events' spelling (topic, id, ts and keys)
        assertThat(compactBytes.get(transport)).as(transport).isLessThan(jsonBytes.get(transport) - 30);
      }
      downPerEvent(run(gateway, out.resolve("java-compact"), SCENARIO, true, SubscriberFormat.COMPACT), "compact");
    }
  }

  @Test
  void deltasLoseNothingAndCostFewerBytesPerEventOnEveryTransport(@TempDir Path out) {
    try (EmbeddedGateway gateway = EmbeddedGateway.start()) {
      Map<String, Double> whole = downPerEvent(run(gateway, out.resolve("json"), REPEATED, false,
        SubscriberFormat.JSON), "json");
      Map<String, Double> patched = downPerEvent(run(gateway, out.resolve("delta"), REPEATED, false,
        SubscriberFormat.of("json+delta")), "json+delta");
      for (Transport transport : Transport.values()) {
        String label = transport.wireName();
        // the 64 repeated characters and their key stay home
        assertThat(patched.get(label)).as(label).isLessThan(whole.get(label) - 50);
      }
      downPerEvent(run(gateway, out.resolve("compact-delta"), REPEATED, false, SubscriberFormat.of("compact+delta")),
        "compact+delta");
    }
  }

  private static JsonObject run(EmbeddedGateway gateway, Path out, Scenario scenario, boolean javaClient,
                                SubscriberFormat format) {
    LoadTest.Options options = new LoadTest.Options(List.of(gateway.url()), OptionalLong.empty(), List.of(), List.of(),
      out, System.out, false, false, null, javaClient, RadioModel.load(LoadTest.DEFAULT_RADIO), List.of(Peer.GATEWAY),
      null, format, 0);
    return new LoadTest(options, scenario, null).run();
  }

  /** Every run kept every event once; its bytes down per event, by transport. */
  private static Map<String, Double> downPerEvent(JsonObject result, String format) {
    JsonArray runs = result.getJsonArray("runs");
    assertThat(runs).isNotEmpty();
    Map<String, Double> bytes = new HashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      String transport = run.getString("transport");
      assertThat(run.getString("format")).isEqualTo(format);
      assertThat(run.getLong("deliveries")).as(transport)
        .isEqualTo(run.getJsonObject("window").getLong("expectedDeliveries")).isPositive();
      assertThat(run.getJsonObject("integrity").getLong("lost")).as(transport).isZero();
      assertThat(run.getJsonObject("integrity").getLong("duplicated")).as(transport).isZero();
      assertThat(run.getJsonObject("integrity").getLong("errors")).as(transport).isZero();
      bytes.put(transport, run.getJsonObject("wire").getDouble("bytesDownPerEvent"));
    }
    return bytes;
  }
}
