package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.loadtest.client.Transport;
import io.pushgateway.loadtest.net.NetworkProfile;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --baseline end to end at small scale: the same clients drive the gateway, then the bare broadcaster. */
@Timeout(90)
class BaselineRunTest {

  @Test
  void reportsTheGatewayAsARatioOfTheBareBroadcaster(@TempDir Path out) throws Exception {
    Scenario scenario = new Scenario(List.of(Transport.WS), 20, 20, 64, 2, 1, 1000, false, NetworkProfile.NONE,
      false, true);
    JsonObject doc = new LoadTest(new LoadTest.Options(List.of(), OptionalLong.empty(), List.of("-Xmx256m"),
      List.of(), out, System.out, true, false, null, false), scenario, null).run();

    assertThat(doc.getJsonObject("target").getBoolean("baseline")).isTrue();
    JsonObject gateway = doc.getJsonArray("runs").getJsonObject(0);
    JsonObject bare = doc.getJsonArray("runs").getJsonObject(1);
    assertThat(gateway.getString("target")).isEqualTo("spawned");
    assertThat(bare.getString("target")).isEqualTo("baseline");
    // the baseline speaks enough of the protocol for the unchanged client: every event, in order, ids checked
    assertThat(bare.getLong("deliveries")).isEqualTo(20L * 40);
    assertThat(bare.getJsonObject("integrity").getLong("lost")).isZero();
    assertThat(bare.getJsonObject("integrity").getLong("idAnomalies")).isZero();
    assertThat(bare.getJsonObject("integrity").getLong("errors")).isZero();
    assertThat(bare.getJsonObject("gateway").getLong("cpuMs")).isNotNull();
    assertThat(bare.getJsonObject("wire").getDouble("bytesDownPerEvent")).isPositive();
    JsonObject ratio = gateway.getJsonObject("vsBaseline");
    assertThat(ratio.getDouble("deliveredPerSecond")).isEqualTo(bare.getDouble("deliveredPerSecond"));
    assertThat(ratio.getDouble("deliveredPerSecondRatio")).isEqualTo(1.0);
    assertThat(ratio.getDouble("p99Ratio")).isPositive();
    assertThat(bare.getValue("vsBaseline")).isNull();
    assertThat(SchemaDoc.load(Path.of("SCHEMA.md")).violations(doc)).isEmpty();
  }
}
