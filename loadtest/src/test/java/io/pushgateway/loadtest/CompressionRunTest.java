package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.PayloadFill;
import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.pushgateway.loadtest.report.ConsoleTable;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --compression end to end at small scale: the same scenario against the gateway, then against a
 * second one started with compression on, its subscribers offering permessage-deflate.
 */
@Timeout(120)
class CompressionRunTest {
  private static final int SUBSCRIBERS = 20;
  /** 20 events/s for 2 measured seconds. */
  private static final long EVENTS = 40;

  @Test
  void reportsTheCompressedRunBesideThePlainOne(@TempDir Path out) throws Exception {
    // a payload that deflates well, so the difference on the wire is far above noise
    Scenario scenario = new Scenario(List.of(Transport.WS), SUBSCRIBERS, 20, 512, 2, 1, 1000, false,
      NetworkProfile.NONE, false, true, PayloadFill.REPEAT);
    JsonObject doc = new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of("-Xmx256m"),
      List.of(), out, System.out, false, true, null, false), scenario, null).run();

    assertThat(doc.getJsonObject("target").getBoolean("compression")).isTrue();
    assertThat(doc.getJsonArray("runs")).hasSize(2);
    JsonObject plain = doc.getJsonArray("runs").getJsonObject(0);
    JsonObject deflated = doc.getJsonArray("runs").getJsonObject(1);
    for (JsonObject run : List.of(plain, deflated)) {
      JsonObject integrity = run.getJsonObject("integrity");
      assertThat(run.getLong("deliveries")).as(run.getString("label")).isEqualTo(SUBSCRIBERS * EVENTS);
      assertThat(integrity.getLong("lost")).isZero();
      assertThat(integrity.getLong("duplicated")).isZero();
      assertThat(integrity.getLong("outOfOrder")).isZero();
      assertThat(integrity.getLong("idAnomalies")).isZero();
      assertThat(integrity.getLong("errors")).isZero();
      assertThat(run.getString("target")).isEqualTo("spawned");
    }
    // the default clients never offer the extension; the compressed run's all had it accepted
    assertThat(plain.getBoolean("compression")).isFalse();
    assertThat(plain.getLong("deflateNegotiated")).isZero();
    assertThat(deflated.getBoolean("compression")).isTrue();
    assertThat(deflated.getLong("deflateNegotiated")).isEqualTo(SUBSCRIBERS);
    assertThat(deflated.getString("label")).endsWith(" compressed");

    double plainDown = plain.getJsonObject("wire").getDouble("bytesDownPerEvent");
    double deflatedDown = deflated.getJsonObject("wire").getDouble("bytesDownPerEvent");
    assertThat(plainDown).isGreaterThan(512);
    assertThat(deflatedDown).isLessThan(plainDown / 2);

    JsonObject compressed = plain.getJsonObject("compressed");
    assertThat(compressed.getDouble("bytesDownPerEvent")).isEqualTo(deflatedDown);
    assertThat(compressed.getDouble("bytesDownRatio")).isLessThan(0.5);
    assertThat(compressed.getLong("deliveries")).isEqualTo(SUBSCRIBERS * EVENTS);
    assertThat(compressed.getLong("lost")).isZero();
    assertThat(compressed.getLong("deflateNegotiated")).isEqualTo(SUBSCRIBERS);
    assertThat(compressed.getDouble("cpuMsPer1000Deliveries"))
      .isEqualTo(deflated.getJsonObject("gateway").getDouble("cpuMsPer1000Deliveries"));
    assertThat(compressed.getDouble("p99Ms")).isPositive();
    assertThat(deflated.getValue("compressed")).isNull();
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();

    assertThat(ConsoleTable.render(doc)).contains("ws compressed", "compressed: wire B/event down");
    assertThat(Files.readString(out.resolve("report.html"))).contains("compressed: wire B/event down");
    assertThat(Files.readString(out.resolve("compressed-1.log"))).isNotEmpty();
  }

  @Test
  void ratiosAreCompressedOverPlainAndNullWhereUnknown() {
    JsonObject plain = run(600, 10.0, 2000, 2.0, 4.0);
    JsonObject deflated = run(150, 12.5, 0, 3.0, 5.0);

    JsonObject c = LoadTest.compressed(plain, deflated);

    assertThat(c.getDouble("bytesDownPerEvent")).isEqualTo(150.0);
    assertThat(c.getDouble("bytesDownRatio")).isEqualTo(0.25);
    assertThat(c.getDouble("cpuRatio")).isEqualTo(1.25);
    assertThat(c.getDouble("heapPerConnectionRatio")).isZero();
    assertThat(c.getDouble("p50Ratio")).isEqualTo(1.5);
    assertThat(c.getDouble("p99Ratio")).isEqualTo(1.25);
    assertThat(c.getLong("deliveries")).isEqualTo(800L);
    assertThat(c.getLong("lost")).isZero();
    // a plain heap figure of 0 (or none) has no ratio; without the proxy there are no bytes
    assertThat(LoadTest.compressed(deflated, plain).getValue("heapPerConnectionRatio")).isNull();
    assertThat(LoadTest.compressed(plain, deflated.copy().put("wire", null)).getValue("bytesDownPerEvent")).isNull();
  }

  private static JsonObject run(double down, double cpu, double heap, double p50, double p99) {
    return new JsonObject()
      .put("deliveries", 800L)
      .put("deflateNegotiated", 20L)
      .put("integrity", new JsonObject().put("lost", 0L))
      .put("wire", new JsonObject().put("bytesDownPerEvent", down))
      .put("gateway", new JsonObject().put("cpuMsPer1000Deliveries", cpu).put("heapPerConnectionBytes", heap)
        .put("rssPerConnectionBytes", null))
      .put("latencyMs", new JsonObject().put("p50", p50).put("p99", p99));
  }
}
